// A JSON editor (CodeMirror 6) with syntax errors underlined and, optionally, extra
// diagnostics from the caller (the definition editor's ValidateStateMachineDefinition results).
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorView, basicSetup } from 'codemirror';

export interface JsonEditor {
  element: HTMLElement;
  view: EditorView;
  text(): string;
  setText(text: string): void;
}

export function jsonEditor(
  initial: string,
  options: { onChange?: (text: string) => void; extraDiagnostics?: (text: string) => Promise<Diagnostic[]>; minHeight?: string } = {},
): JsonEditor {
  const element = document.createElement('div');
  element.className = 'json-editor';
  element.style.minHeight = options.minHeight ?? '8em';
  const parseLinter = jsonParseLinter();
  const lint = linter(
    async (view) => {
      const syntax = parseLinter(view);
      if (syntax.length || !options.extraDiagnostics) return syntax;
      return options.extraDiagnostics(view.state.doc.toString());
    },
    { delay: 300 },
  );
  const view = new EditorView({
    doc: initial,
    parent: element,
    extensions: [
      basicSetup,
      json(),
      lintGutter(),
      lint,
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange?.(update.state.doc.toString());
      }),
    ],
  });
  return {
    element,
    view,
    text: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
  };
}
