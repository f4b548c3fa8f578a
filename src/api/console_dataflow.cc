// The console's data-flow view (api.h: Api::DataFlow): one state visit of an execution, each
// data-flow stage computed by the engine's own code (engine/replay.h) on what the execution's
// history recorded (api/console_visit.h), or marked as not available.
#include <string>
#include <vector>

#include "api/console_visit.h"
#include "api/operations.h"
#include "engine/replay.h"
#include "json/json.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace flowstate::api {
namespace {

// The history up to and a little past the visit: read page by page until the visit has ended
// (its frame moves on) or the history does.
ApiResult<std::vector<model::HistoryEvent>> ReadHistory(store::Store& store,
                                                        const std::string& execution_arn) {
  std::vector<model::HistoryEvent> events;
  store::PageRequest page{1000, ""};
  while (true) {
    auto history = store.GetHistory(execution_arn, page, /*reverse=*/false);
    if (!history) {
      return Fail("ServiceUnavailable", "cannot read the history: " + history.error().message(),
                  503);
    }
    for (auto& event : history->items) events.push_back(std::move(event));
    if (history->next_token.empty()) return events;
    page.token = history->next_token;
  }
}

json::Json StageJson(const engine::ReplayedStage& stage) {
  json::Json out = {{"stage", stage.stage}, {"recorded", stage.recorded}};
  if (stage.value) {
    out["value"] = json::Dump(*stage.value);
  } else {
    out["note"] = stage.note;
  }
  return out;
}

}  // namespace

ApiResult<json::Json> Api::DataFlow(const json::Json& request) {
  if (!request.is_object() || !request.contains("executionArn") ||
      !request["executionArn"].is_string() || !request.contains("enteredEventId") ||
      !request["enteredEventId"].is_number_integer()) {
    return Fail("ValidationException",
                "DataFlow needs {executionArn: string, enteredEventId: integer}");
  }
  const std::string arn = request["executionArn"].get<std::string>();
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kExecution)));
  auto record = context_->store.GetExecution(arn);
  if (!record) {
    return Fail("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
  }
  auto revision = context_->store.GetRevision(record->revision_id);
  if (!revision) {
    return Fail("ServiceUnavailable",
                "cannot read the state machine: " + revision.error().message(), 503);
  }
  auto model = context_->runtime.models().GetOrLoad((*revision)->revision_id,
                                                    (*revision)->definition, (*revision)->type);
  if (!model) {
    return Fail("ServiceUnavailable", "cannot load the definition: " + model.error().message(),
                503);
  }
  FS_API_TRY(events, ReadHistory(context_->store, arn));
  FS_API_TRY(visit, RecoverVisit(**model, *record, **revision, events,
                                 request["enteredEventId"].get<int64_t>()));
  json::Json stages = json::Json::array();
  for (const engine::ReplayedStage& stage : engine::ReplayDataFlow(**model, visit)) {
    stages.push_back(StageJson(stage));
  }
  const asl::State& state = (*model)->state(visit.scope, visit.state);
  return json::Json{{"stages", std::move(stages)},
                    {"state", state.name},
                    {"queryLanguage", state.jsonata ? "JSONata" : "JSONPath"}};
}

}  // namespace flowstate::api
