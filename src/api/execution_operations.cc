// StartExecution, StartSyncExecution, DescribeExecution, DescribeStateMachineForExecution,
// ListExecutions, GetExecutionHistory, StopExecution, RedriveExecution (AWS-REFERENCE.md §3.3).
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "api/operations.h"
#include "api/page_token.h"
#include "api/render.h"
#include "json/compact_text.h"
#include "runtime/redrive_rules.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace flowstate::api {
namespace {

constexpr size_t kMaxPayloadBytes = 256 * 1024;
constexpr size_t kMaxErrorChars = 256;
constexpr size_t kMaxCauseChars = 32768;
constexpr int kMaxListResults = 1000;
constexpr auto kExpressDuration = std::chrono::minutes(5);
constexpr int64_t kBilledMemoryMb = 64;
constexpr int64_t kBillingGranularityMs = 100;

// What StartExecution and StartSyncExecution share: the checked request and the state machine.
struct StartPlan {
  store::StateMachinePtr machine;
  std::string version_arn;  // started through a version or an alias
  std::string alias_arn;
  runtime::ModelPtr model;
  std::string name;
  std::string input_text;
  json::Json input;
  std::string trace_header;
};

ApiResult<StartPlan> PlanStart(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineArn"));
  FS_API_TRY(name, request.OptionalString("name"));
  FS_API_TRY(input, request.OptionalString("input"));
  FS_API_TRY(trace_header, request.OptionalString("traceHeader"));
  FS_API_TRY(parsed,
             ParseArn(arn, Allow(ArnKind::kStateMachine) | Allow(ArnKind::kStateMachineVersion) |
                               Allow(ArnKind::kStateMachineAlias)));
  StartPlan plan;
  if (name) {
    FS_API_TRY(name_length_ok, CheckNameLength(*name, "name"));
    if (!IsValidName(*name)) {
      return Fail("InvalidName", "Invalid Name: '" + *name + "'");
    }
    plan.name = std::move(*name);
  } else {
    plan.name = NewUuid();
  }
  plan.input_text = input ? std::move(*input) : "{}";
  if (plan.input_text.size() > kMaxPayloadBytes) {
    return SensitiveConstraintViolation("input",
                                        "Member must have length less than or equal to 262144");
  }
  auto parsed_input = json::Parse(plan.input_text);
  if (!parsed_input) {
    return Fail("InvalidExecutionInput",
                "Invalid State Machine Execution Input: '" + parsed_input.error().message() + "'");
  }
  plan.input = std::move(*parsed_input);
  plan.trace_header = trace_header.value_or("");
  // A version runs its frozen revision; an alias one of its versions, picked by weight.
  FS_API_TRY(resolved, ResolveStateMachine(ctx, arn, /*route=*/true));
  plan.machine = std::move(resolved.machine);
  plan.version_arn = std::move(resolved.version_arn);
  plan.alias_arn = std::move(resolved.alias_arn);
  auto model = ctx.runtime.models().GetOrLoad(plan.machine->revision_id, plan.machine->definition,
                                              plan.machine->type);
  if (!model) {
    return Fail("InvalidDefinition", model.error().message());
  }
  plan.model = std::move(*model);
  return plan;
}

model::ExecutionInfo InfoFor(const StartPlan& plan, std::string execution_arn,
                             base::Timestamp now) {
  model::ExecutionInfo info;
  info.execution_arn = std::move(execution_arn);
  info.execution_name = plan.name;
  info.state_machine_arn = plan.machine->arn;
  info.state_machine_name = plan.machine->name;
  info.role_arn = plan.machine->role_arn;
  info.type = plan.machine->type;
  info.state_machine_version_arn = plan.version_arn;
  info.state_machine_alias_arn = plan.alias_arn;
  info.start_time = now;
  return info;
}

void StartExpress(Api::Context& ctx, StartPlan plan, const std::string& execution_arn,
                  base::Timestamp now,
                  std::function<void(const runtime::ExecutionResult&)> on_end) {
  runtime::StartRequest start;
  start.info = InfoFor(plan, execution_arn, now);
  start.model = std::move(plan.model);
  start.input = std::move(plan.input);
  start.persist = false;
  start.deadline = now + kExpressDuration;
  start.log = runtime::LogSettingsOf(plan.machine->logging_configuration);
  start.on_end = std::move(on_end);
  ctx.runtime.Start(std::move(start));
}

ApiResult<store::ExecutionRecord> LoadExecution(Api::Context& ctx, const std::string& arn) {
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kExecution)));
  auto record = ctx.store.GetExecution(arn);
  if (!record) {
    return Fail("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
  }
  return std::move(*record);
}

// StartSyncExecution's answer, written directly as text: it is on the Express hot path, where
// building an ordered_json object per response showed up in profiles.
std::string SyncResponse(const std::string& execution_arn, const StartPlan& plan,
                         base::Timestamp start, const runtime::ExecutionResult& result) {
  std::string out;
  out.reserve(256 + plan.input_text.size() + result.output.value_or("").size());
  const auto member = [&out](std::string_view key, std::string_view value) {
    out += out.empty() ? "{" : ",";
    json::AppendQuoted(key, out);
    out += ':';
    json::AppendQuoted(value, out);
  };
  const auto raw_member = [&out](std::string_view key, const std::string& raw_json) {
    out += ',';
    json::AppendQuoted(key, out);
    out += ':';
    out += raw_json;
  };
  member("executionArn", execution_arn);
  member("stateMachineArn", plan.machine->arn);
  member("name", plan.name);
  raw_member("startDate", json::Dump(EpochSeconds(start)));
  raw_member("stopDate", json::Dump(EpochSeconds(result.stop_date)));
  member("status", model::ToString(result.status));
  if (result.error) {
    member("error", *result.error);
  }
  if (result.cause) {
    member("cause", *result.cause);
  }
  member("input", plan.input_text);
  raw_member("inputDetails", R"({"included":true})");
  if (result.output) {
    member("output", *result.output);
    raw_member("outputDetails", R"({"included":true})");
  }
  if (!plan.trace_header.empty()) {
    member("traceHeader", plan.trace_header);
  }
  const int64_t elapsed = (result.stop_date - start).count();
  const int64_t billed =
      std::max<int64_t>(1, (elapsed + kBillingGranularityMs - 1) / kBillingGranularityMs) *
      kBillingGranularityMs;
  raw_member("billingDetails", R"({"billedMemoryUsedInMB":)" + std::to_string(kBilledMemoryMb) +
                                   R"(,"billedDurationInMilliseconds":)" + std::to_string(billed) +
                                   "}");
  out += '}';
  return out;
}

}  // namespace

void StartExecution(Api::Context& ctx, const RequestReader& request, ApiDone done) {
  auto plan = PlanStart(ctx, request);
  if (!plan) {
    done(ErrorResponse(plan.error()));
    return;
  }
  const base::Timestamp now = ctx.clock.Now();
  if (plan->machine->type == model::WorkflowType::kExpress) {
    // AWS: Express starts are not idempotent; each gets a unique ARN.
    const std::string arn =
        ExpressExecutionArn(ctx.options.scope, plan->machine->name, plan->name, NewUuid());
    StartExpress(ctx, std::move(*plan), arn, now, nullptr);
    done(OkResponse({{"executionArn", arn}, {"startDate", EpochSeconds(now)}}));
    return;
  }
  store::ExecutionRecord record;
  record.arn = ExecutionArn(ctx.options.scope, plan->machine->name, plan->name);
  record.name = plan->name;
  record.state_machine_arn = plan->machine->arn;
  record.revision_id = plan->machine->revision_id;
  record.type = plan->machine->type;
  record.input = plan->input_text;
  record.trace_header = plan->trace_header;
  record.start_date = now;
  record.state_machine_version_arn = plan->version_arn;
  record.state_machine_alias_arn = plan->alias_arn;
  // The reply waits until the start is durable, without holding this (network) thread; the
  // runtime takes the execution only once its record exists.
  auto started_plan = std::make_shared<StartPlan>(std::move(*plan));
  ctx.store.StartExecutionAsync(record, [&ctx, started_plan, now, done = std::move(done)](
                                            base::Result<store::StartResult> started) {
    if (!started) {
      done(ErrorResponse(
          started.error().code() == base::StatusCode::kAlreadyExists
              ? ApiError{"ExecutionAlreadyExists", started.error().message()}
              : ApiError{"ServiceUnavailable",
                         "The execution could not be stored: " + started.error().message(), 503}));
      return;
    }
    if (started->created) {
      runtime::StartRequest start;
      start.info = InfoFor(*started_plan, started->record.arn, now);
      start.model = std::move(started_plan->model);
      start.input = std::move(started_plan->input);
      start.log = runtime::LogSettingsOf(started_plan->machine->logging_configuration);
      ctx.runtime.Start(std::move(start));
    }
    done(OkResponse({{"executionArn", started->record.arn},
                     {"startDate", EpochSeconds(started->record.start_date)}}));
  });
}

void StartSyncExecution(Api::Context& ctx, const RequestReader& request, ApiDone done) {
  auto plan = PlanStart(ctx, request);
  if (!plan) {
    done(ErrorResponse(plan.error()));
    return;
  }
  if (plan->machine->type != model::WorkflowType::kExpress) {
    done(ErrorResponse(ApiError{"StateMachineTypeNotSupported",
                                "This operation is not supported by this type of state machine"}));
    return;
  }
  const base::Timestamp now = ctx.clock.Now();
  const std::string arn =
      ExpressExecutionArn(ctx.options.scope, plan->machine->name, plan->name, NewUuid());
  // The response needs the request's fields after the model and input moved to the lane.
  auto summary = std::make_shared<StartPlan>();
  summary->machine = plan->machine;
  summary->name = plan->name;
  summary->input_text = plan->input_text;
  summary->trace_header = plan->trace_header;
  StartExpress(ctx, std::move(*plan), arn, now,
               [arn, now, summary, done = std::move(done)](const runtime::ExecutionResult& result) {
                 done(ApiResponse{200, SyncResponse(arn, *summary, now, result)});
               });
}

ApiResult<json::Json> DescribeExecution(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("executionArn"));
  FS_API_TRY(record, LoadExecution(ctx, arn));
  json::Json out = RenderExecution(record);
  // redriveStatus: whether RedriveExecution would accept it now (and if not, why).
  int64_t last_event_id = 0;
  if (auto last = ctx.store.GetHistory(arn, store::PageRequest{1, ""}, /*reverse=*/true);
      last && !last->items.empty()) {
    last_event_id = last->items[0].id;
  }
  const bool machine_exists = ctx.store.GetStateMachine(record.state_machine_arn).has_value();
  if (auto blocker =
          runtime::RedriveBlocker(record, last_event_id, machine_exists, ctx.clock.Now())) {
    out["redriveStatus"] = "NOT_REDRIVABLE";
    out["redriveStatusReason"] = *blocker;
  } else {
    out["redriveStatus"] = "REDRIVABLE";
  }
  return out;
}

ApiResult<json::Json> DescribeStateMachineForExecution(Api::Context& ctx,
                                                       const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("executionArn"));
  FS_API_TRY(record, LoadExecution(ctx, arn));
  auto revision = ctx.store.GetRevision(record.revision_id);
  if (!revision) {
    return Fail("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
  }
  const store::StateMachinePtr& machine = *revision;
  json::Json out = json::Json::object();
  out["stateMachineArn"] = machine->arn;
  out["name"] = machine->name;
  out["definition"] = machine->definition;
  out["roleArn"] = machine->role_arn;
  out["updateDate"] = EpochSeconds(machine->update_date);
  out["loggingConfiguration"] = json::Parse(machine->logging_configuration).value_or(json::Json());
  out["tracingConfiguration"] = json::Parse(machine->tracing_configuration).value_or(json::Json());
  out["revisionId"] = machine->revision_id;
  AddVariableReferences(machine->definition, out);
  return out;
}

ApiResult<json::Json> ListExecutions(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.OptionalString("stateMachineArn"));
  FS_API_TRY(map_run, request.OptionalString("mapRunArn"));
  FS_API_TRY(status, request.OptionalString("statusFilter"));
  FS_API_TRY(redrive, request.OptionalString("redriveFilter"));
  FS_API_TRY(limit, PageSize(request, kMaxListResults, 100));
  FS_API_TRY(token, request.OptionalString("nextToken"));
  if (!arn) {
    if (map_run) {
      return Fail("ResourceNotFound", "Resource not found: '" + *map_run + "'", 404);
    }
    return Fail("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
  }
  FS_API_TRY(parsed,
             ParseArn(*arn, Allow(ArnKind::kStateMachine) | Allow(ArnKind::kStateMachineVersion) |
                                Allow(ArnKind::kStateMachineAlias)));
  store::ExecutionFilter filter;
  filter.state_machine_arn = parsed.machine_arn;
  // A version ARN lists the executions that ran that version (started on it, or through an
  // alias that routed to it); an alias ARN those started through the alias.
  if (parsed.kind != ArnKind::kStateMachine) {
    FS_API_TRY(resolved, ResolveStateMachine(ctx, *arn, /*route=*/false));
    (void)resolved;  // it exists (else StateMachineDoesNotExist / ResourceNotFound)
    if (parsed.kind == ArnKind::kStateMachineVersion) {
      filter.version_arn = *arn;
    } else {
      filter.alias_arn = *arn;
    }
  }
  if (redrive) {
    if (*redrive != "REDRIVEN" && *redrive != "NOT_REDRIVEN") {
      return ConstraintViolation(*redrive, "redriveFilter",
                                 "Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]");
    }
    filter.redriven = *redrive == "REDRIVEN";
  }
  if (status) {
    filter.status = model::ParseExecutionStatus(*status);
    if (!filter.status) {
      return ConstraintViolation(*status, "statusFilter",
                                 "Member must satisfy enum value set: [RUNNING, SUCCEEDED, "
                                 "FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]");
    }
  }
  auto machine = ctx.store.GetStateMachine(filter.state_machine_arn);
  if (!machine) {
    return Fail("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + *arn + "'");
  }
  if ((*machine)->type == model::WorkflowType::kExpress) {
    return Fail("StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine");
  }
  store::PageRequest page{limit, ""};
  if (token) {
    FS_API_TRY(cursor, DecodePageToken("ListExecutions", *token));
    page.token = std::move(cursor);
  }
  auto result = ctx.store.ListExecutions(filter, page);
  if (!result) {
    return Fail("InvalidToken", "Invalid Token: '" + token.value_or("") + "'");
  }
  json::Json items = json::Json::array();
  for (const auto& record : result->items) {
    items.push_back(RenderExecutionSummary(record));
  }
  json::Json out = {{"executions", std::move(items)}};
  if (!result->next_token.empty()) {
    out["nextToken"] = EncodePageToken("ListExecutions", result->next_token);
  }
  return out;
}

ApiResult<json::Json> GetExecutionHistory(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("executionArn"));
  FS_API_TRY(limit, PageSize(request, kMaxListResults, 100));
  FS_API_TRY(reverse, request.OptionalBool("reverseOrder"));
  FS_API_TRY(include_data, request.OptionalBool("includeExecutionData"));
  FS_API_TRY(token, request.OptionalString("nextToken"));
  FS_API_TRY(record, LoadExecution(ctx, arn));
  // A token is bound to its direction: the cursor counts events from one end.
  const std::string operation =
      reverse.value_or(false) ? "GetExecutionHistory/reverse" : "GetExecutionHistory";
  store::PageRequest page{limit, ""};
  if (token) {
    FS_API_TRY(cursor, DecodePageToken(operation + "\n" + arn, *token));
    page.token = std::move(cursor);
  }
  auto result = ctx.store.GetHistory(arn, page, reverse.value_or(false));
  if (!result) {
    return Fail("InvalidToken", "Invalid Token: '" + token.value_or("") + "'");
  }
  json::Json events = json::Json::array();
  for (const auto& event : result->items) {
    events.push_back(RenderEvent(event, include_data.value_or(true)));
  }
  json::Json out = {{"events", std::move(events)}};
  if (!result->next_token.empty()) {
    out["nextToken"] = EncodePageToken(operation + "\n" + arn, result->next_token);
  }
  return out;
}

void StopExecution(Api::Context& ctx, const RequestReader& request, ApiDone done) {
  auto check =
      [&]() -> ApiResult<std::pair<store::ExecutionRecord, std::pair<std::string, std::string>>> {
    FS_API_TRY(arn, request.RequiredString("executionArn"));
    FS_API_TRY(error, request.OptionalString("error"));
    FS_API_TRY(cause, request.OptionalString("cause"));
    if (error && error->size() > kMaxErrorChars) {
      return SensitiveConstraintViolation("error",
                                          "Member must have length less than or equal to 256");
    }
    if (cause && cause->size() > kMaxCauseChars) {
      return SensitiveConstraintViolation("cause",
                                          "Member must have length less than or equal to 32768");
    }
    FS_API_TRY(record, LoadExecution(ctx, arn));
    return std::make_pair(std::move(record),
                          std::make_pair(error.value_or(""), cause.value_or("")));
  }();
  if (!check) {
    done(ErrorResponse(check.error()));
    return;
  }
  auto& [record, reason] = *check;
  if (record.status != model::ExecutionStatus::kRunning) {
    const base::Timestamp stop = record.stop_date.value_or(ctx.clock.Now());
    done(OkResponse({{"stopDate", EpochSeconds(stop)}}));
    return;
  }
  ctx.runtime.Stop(record.arn, std::move(reason.first), std::move(reason.second),
                   [&store = ctx.store, &clock = ctx.clock, arn = record.arn,
                    done = std::move(done)](std::optional<base::Timestamp> stopped) {
                     if (!stopped) {  // it ended on its own meanwhile
                       auto latest = store.GetExecution(arn);
                       stopped = latest && latest->stop_date ? *latest->stop_date : clock.Now();
                     }
                     done(OkResponse({{"stopDate", EpochSeconds(*stopped)}}));
                   });
}

}  // namespace flowstate::api

namespace flowstate::api {

void RedriveExecution(Api::Context& ctx, const RequestReader& request, ApiDone done) {
  auto check = [&]() -> ApiResult<std::pair<std::string, std::string>> {
    FS_API_TRY(arn, request.RequiredString("executionArn"));
    FS_API_TRY(client_token, request.OptionalString("clientToken"));
    if (client_token && client_token->empty()) {
      return ConstraintViolation(*client_token, "clientToken",
                                 "Member must have length greater than or equal to 1");
    }
    if (client_token && client_token->size() > 64) {
      return ConstraintViolation(*client_token, "clientToken",
                                 "Member must have length less than or equal to 64");
    }
    FS_API_TRY(parsed,
               ParseArn(arn, Allow(ArnKind::kExecution) | Allow(ArnKind::kExpressExecution)));
    if (parsed.kind == ArnKind::kExpressExecution) {
      return Fail("ExecutionNotRedrivable",
                  "Execution of an EXPRESS state machine cannot be redriven: '" + arn + "'");
    }
    return std::make_pair(std::move(arn), client_token.value_or(""));
  }();
  if (!check) {
    done(ErrorResponse(check.error()));
    return;
  }
  const std::string arn = check->first;
  ctx.runtime.Redrive(
      arn, std::move(check->second),
      [arn, done = std::move(done)](base::Result<base::Timestamp> redriven) {
        if (redriven) {
          done(OkResponse({{"redriveDate", EpochSeconds(*redriven)}}));
          return;
        }
        const base::Status& error = redriven.error();
        switch (error.code()) {
          case base::StatusCode::kNotFound:
            done(ErrorResponse(
                ApiError{"ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'"}));
            return;
          case base::StatusCode::kConflict:
            done(ErrorResponse(ApiError{"ExecutionNotRedrivable", error.message()}));
            return;
          default:
            done(ErrorResponse(ApiError{"ServiceUnavailable",
                                        "The execution could not be redriven: " + error.message(),
                                        503}));
            return;
        }
      });
}

}  // namespace flowstate::api
