// Finds a state's definition by name anywhere in a definition (branches and processors too).
export function findState(definition: any, name: string): any | undefined {
  const states = definition?.States;
  if (!states || typeof states !== 'object') return undefined;
  if (name in states) return states[name];
  for (const state of Object.values<any>(states)) {
    for (const inner of [...(state?.Branches ?? []), state?.ItemProcessor, state?.Iterator]) {
      const found = inner && findState(inner, name);
      if (found) return found;
    }
  }
  return undefined;
}
