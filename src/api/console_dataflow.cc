// The console's data-flow view (api.h: Api::DataFlow): replays one JSONPath-mode state's
// InputPath -> Parameters -> ResultSelector -> ResultPath -> OutputPath on a recorded input and
// task result with the engine's own query code, so each stage shows the value the engine made.
#include <optional>
#include <string>

#include "api/operations.h"
#include "json/json.h"
#include "query/eval_context.h"
#include "query/json_path.h"
#include "query/payload_template.h"
#include "query/result_path.h"

namespace flowstate::api {
namespace {

// One stage's outcome: its value, or why it has none.
struct Stage {
  std::optional<json::Json> value;
  std::string error;
};

json::Json StageJson(std::string_view name, const Stage& stage) {
  json::Json out = {{"stage", std::string(name)}};
  if (stage.value) {
    out["value"] = json::Dump(*stage.value);
  } else {
    out["error"] = stage.error;
  }
  return out;
}

Stage NoValue(std::string message) { return Stage{std::nullopt, std::move(message)}; }

// InputPath or OutputPath: absent keeps the value, null gives {}.
Stage SelectPath(const json::Json& state, const char* field, const json::Json& value) {
  if (!state.contains(field)) {
    return Stage{value, ""};
  }
  const json::Json& path = state[field];
  if (path.is_null()) {
    return Stage{json::Json::object(), ""};
  }
  if (!path.is_string()) {
    return NoValue(std::string(field) + " must be a string");
  }
  auto parsed = query::JsonPath::Parse(path.get<std::string>());
  if (!parsed) {
    return NoValue(parsed.error().message());
  }
  query::EvalContext ctx;
  ctx.input = &value;
  auto selected = parsed->Select(ctx);
  if (!selected) {
    return NoValue(selected.error().error + ": " + selected.error().cause);
  }
  return Stage{std::move(*selected), ""};
}

// Parameters or ResultSelector. `$$` and variables are not recorded, so templates that read
// them say so instead of guessing.
Stage ApplyTemplate(const json::Json& state, const char* field, const json::Json& value) {
  if (!state.contains(field)) {
    return Stage{value, ""};
  }
  auto compiled = query::PayloadTemplate::Compile(state[field]);
  if (!compiled) {
    return NoValue(compiled.error().message());
  }
  query::EvalContext ctx;
  ctx.input = &value;
  auto built = compiled->Evaluate(ctx);
  if (!built) {
    return NoValue(built.error().error + ": " + built.error().cause);
  }
  return Stage{std::move(*built), ""};
}

}  // namespace

ApiResult<json::Json> Api::DataFlow(const json::Json& request) {
  if (!request.is_object() || !request.contains("state") || !request["state"].is_object() ||
      !request.contains("input") || !request["input"].is_string()) {
    return Fail("ValidationException", "DataFlow needs {state: object, input: JSON text}");
  }
  const json::Json& state = request["state"];
  auto input = json::Parse(request["input"].get<std::string>());
  if (!input) {
    return Fail("ValidationException", "input is not JSON: " + input.error().message());
  }
  json::Json stages = json::Json::array();
  const auto add = [&stages](std::string_view name, const Stage& stage) {
    stages.push_back(StageJson(name, stage));
    return stage.value.has_value();
  };
  if (state.value("QueryLanguage", "") == "JSONata") {
    return json::Json{{"stages", std::move(stages)}, {"queryLanguage", "JSONata"}};
  }
  const std::string type = state.value("Type", "");
  const Stage effective = SelectPath(state, "InputPath", *input);
  if (!add("InputPath", effective)) {
    return json::Json{{"stages", std::move(stages)}};
  }
  const char* template_field = type == "Map" ? "ItemSelector" : "Parameters";
  const Stage parameters = ApplyTemplate(state, template_field, *effective.value);
  if (!add("Parameters", parameters)) {
    return json::Json{{"stages", std::move(stages)}};
  }
  // The state's result: a Pass state's Result (or its parameters), else what the task returned.
  std::optional<json::Json> result;
  if (type == "Pass") {
    result = state.contains("Result") ? state["Result"] : *parameters.value;
  } else if (request.contains("result") && request["result"].is_string()) {
    auto parsed = json::Parse(request["result"].get<std::string>());
    if (parsed) {
      result = std::move(*parsed);
    }
  } else if (type == "Wait" || type == "Choice" || type == "Succeed") {
    // No result: these states pass their effective input on (Choice/Succeed/Wait ignore
    // ResultPath), so OutputPath reads the effective input.
    add("OutputPath", SelectPath(state, "OutputPath", *effective.value));
    return json::Json{{"stages", std::move(stages)}};
  }
  if (!result) {
    add("ResultSelector", NoValue("no result recorded"));
    return json::Json{{"stages", std::move(stages)}};
  }
  const Stage selected = ApplyTemplate(state, "ResultSelector", *result);
  if (!add("ResultSelector", selected)) {
    return json::Json{{"stages", std::move(stages)}};
  }
  auto result_path = state.contains("ResultPath")
                         ? query::ResultPath::Compile(state["ResultPath"])
                         : base::Result<query::ResultPath>(query::ResultPath::Replace());
  Stage merged;
  if (!result_path) {
    merged = NoValue(result_path.error().message());
  } else if (auto applied = result_path->Apply(*input, *selected.value); applied) {
    merged = Stage{std::move(*applied), ""};
  } else {
    merged = NoValue(applied.error().error + ": " + applied.error().cause);
  }
  if (!add("ResultPath", merged)) {
    return json::Json{{"stages", std::move(stages)}};
  }
  add("OutputPath", SelectPath(state, "OutputPath", *merged.value));
  return json::Json{{"stages", std::move(stages)}};
}

}  // namespace flowstate::api
