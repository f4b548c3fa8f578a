// ResultPath of JSONPath mode: where a state's result goes in its original input. `$` (the
// default) replaces the input, `null` discards the result and keeps the input, any other
// reference path writes the result there, creating missing intermediate objects. Compiled
// once; immutable and thread-safe afterwards.
#pragma once

#include <optional>
#include <string_view>

#include "base/asl_error.h"
#include "base/result.h"
#include "json/json_fwd.h"
#include "query/json_path.h"

namespace flowstate::query {

class ResultPath {
 public:
  // The field as written: a JSON string (a reference path rooted at `$`) or JSON null
  // (discard). Anything else, `$$`/`$var` roots, and paths that are not reference paths are
  // errors with a message usable in a validation diagnostic.
  static base::Result<ResultPath> Compile(const json::Json& field);
  static base::Result<ResultPath> Parse(std::string_view text);
  // `$`: the result replaces the input.
  static ResultPath Replace();
  // `null`: the result is discarded.
  static ResultPath Discard();

  bool discards() const { return discard_; }
  bool replaces() const { return !discard_ && !path_.has_value(); }

  // Returns the state output before OutputPath: `input` with `result` written at the path.
  // Fails with States.ResultPathMatchFailure when the path crosses a value that is not an
  // object (e.g. `$.a.b` with "a": 1, or a non-object input) or indexes outside an array.
  tl::expected<json::Json, base::AslError> Apply(json::Json input, json::Json result) const;
  // Whether Apply succeeds on `input`: a caller that hands its input over checks first.
  bool AppliesTo(const json::Json& input) const;
  // At most how many bytes Apply adds to the compact text of an input: the result's text and
  // the members it creates on the way.
  size_t MaxGrowth(const json::Json& result) const;

 private:
  ResultPath() = default;

  bool discard_ = false;
  std::optional<JsonPath> path_;
};

}  // namespace flowstate::query
