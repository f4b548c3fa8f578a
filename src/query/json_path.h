// JsonPath is a compiled Jayway-style JSONPath as Amazon States Language uses it: roots `$`
// (input), `$$` (context object) and `$name` (a workflow variable); `.name`, `['name']`,
// `[n]` (negative counts from the end), `[*]`, `..`, slices `[a:b:c]`, unions `[0,1]`,
// `['a','b']` and filters `[?(@.x > 1 && @.y == 'a')]`. Parse once, evaluate many times.
// Immutable after Parse; copies share the compiled form; safe to use from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/asl_error.h"
#include "base/result.h"
#include "json/json_fwd.h"
#include "query/eval_context.h"

namespace flowstate::query {

enum class PathRoot { kInput, kContext, kVariable };

// What a path selected: pointers into the documents of the EvalContext (valid while they
// live), so evaluating copies nothing.
class PathMatches {
 public:
  // True for a definite path: exactly one match. False: any number of matches (maybe 0).
  bool definite() const { return definite_; }
  size_t size() const { return single_ != nullptr ? 1 : many_.size(); }
  const json::Json& operator[](size_t idx) const {
    return single_ != nullptr ? *single_ : *many_[idx];
  }
  // The value as AWS passes it on: the match itself for a definite path, else an array of
  // copies of the matches (`[]` when nothing matched).
  json::Json ToJson() const;

 private:
  friend class JsonPath;
  bool definite_ = true;
  const json::Json* single_ = nullptr;
  std::vector<const json::Json*> many_;
};

// One step of a definite path: a property name or an array index.
struct PathStep {
  std::string name;
  int64_t index = 0;
  bool is_index = false;
};

class JsonPath {
 public:
  // Compiles `text`. The error message is usable in a validation diagnostic, e.g.
  // "Invalid JSONPath '$.a[': unterminated '['".
  static base::Result<JsonPath> Parse(std::string_view text);

  // The text as written in the definition.
  const std::string& text() const;
  PathRoot root() const;
  // The variable's name for PathRoot::kVariable (`$x.a` -> "x"), else empty.
  const std::string& variable_name() const;
  // Jayway's rendering, e.g. "$['a'][0]" for `$.a[0]` (used inside AWS's error texts).
  const std::string& canonical() const;

  // Definite: only names and single indexes, so at most one match.
  bool IsDefinite() const;
  // A reference path (ResultPath, Choice Variable and `...Path` comparators): definite and
  // free of `..`, `*`, filters, slices and unions.
  bool IsReferencePath() const;

  // The steps after the root of a definite path, in order; empty for `$` and for
  // indefinite paths.
  const std::vector<PathStep>& steps() const;

  // Evaluates against the root document the path names. A definite path that selects
  // nothing fails with Jayway's message, e.g. "No results for path: $['a']" or
  // "Missing property in path $['a']". An indefinite path never fails: no match gives an
  // empty PathMatches.
  tl::expected<PathMatches, std::string> Evaluate(const EvalContext& ctx) const;

  // The one value a definite path selects, or nullptr when it selects nothing.
  // REQUIRES: IsDefinite().
  const json::Json* Find(const EvalContext& ctx) const;

  // InputPath / OutputPath / ItemsPath semantics: the selected value (copied), or
  // States.Runtime with cause "Invalid path '<text>' : <Jayway message>".
  tl::expected<json::Json, base::AslError> Select(const EvalContext& ctx) const;

  struct Compiled;

 private:
  explicit JsonPath(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

  std::shared_ptr<const Compiled> compiled_;
};

// True when `text` starts like a path: `$`, `$$`, `$.`, `$[`, `$name`.
bool LooksLikePath(std::string_view text);

}  // namespace flowstate::query
