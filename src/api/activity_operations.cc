// CreateActivity, DescribeActivity, DeleteActivity, ListActivities, GetActivityTask,
// SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat (AWS-REFERENCE.md §3.4). Activities are
// catalog entries (kind "activity", key = ARN, value {"name", "creationDate"}); tokens and polls
// are the runtime's (TaskTokenRegistry, ActivityBroker).
#include <optional>
#include <string>

#include "api/operations.h"
#include "api/page_token.h"
#include "api/render.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace flowstate::api {
namespace {

constexpr size_t kMaxPayloadBytes = 256 * 1024;
constexpr size_t kMaxErrorChars = 256;
constexpr size_t kMaxCauseChars = 32768;
constexpr size_t kMaxTokenChars = 1024;
constexpr int kMaxListResults = 1000;

struct Activity {
  std::string arn;
  std::string name;
  base::Timestamp creation_date{};
};

std::string ActivityValue(const Activity& activity) {
  return json::Dump(json::Json{{"name", activity.name},
                               {"creationDate", base::ToUnixMillis(activity.creation_date)}});
}

Activity ParseActivity(std::string arn, const std::string& value) {
  Activity activity;
  activity.arn = std::move(arn);
  auto parsed = json::Parse(value);
  if (parsed && parsed->is_object()) {
    activity.name = parsed->value("name", "");
    activity.creation_date = base::FromUnixMillis(parsed->value("creationDate", int64_t{0}));
  }
  return activity;
}

json::Json RenderActivity(const Activity& activity) {
  return json::Json{{"activityArn", activity.arn},
                    {"name", activity.name},
                    {"creationDate", EpochSeconds(activity.creation_date)}};
}

ApiResult<Activity> LoadActivity(Api::Context& ctx, const std::string& arn) {
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kActivity)));
  auto value = ctx.store.GetCatalogEntry(store::kActivityCatalog, arn);
  if (!value) {
    return Fail("ActivityDoesNotExist", "Activity Does Not Exist: '" + arn + "'");
  }
  return ParseActivity(arn, *value);
}

ApiResult<std::string> ReadTaskToken(const RequestReader& request) {
  FS_API_TRY(token, request.RequiredString("taskToken"));
  if (token.empty() || token.size() > kMaxTokenChars) {
    return ConstraintViolation(token, "taskToken",
                               token.empty()
                                   ? "Member must have length greater than or equal to 1"
                                   : "Member must have length less than or equal to 1024");
  }
  return token;
}

// The answer to SendTask* for a token that is not pending.
ApiResult<json::Json> AnswerTask(Api::Context& ctx, const std::string& token, model::Input answer) {
  switch (ctx.runtime.AnswerTask(token, std::move(answer))) {
    case runtime::TokenStatus::kPending:
      return json::Json::object();
    case runtime::TokenStatus::kFinished:
      return Fail("TaskDoesNotExist",
                  "Task Does Not Exist: 'Provided task does not exist anymore'");
    case runtime::TokenStatus::kTimedOut:
      return Fail("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
    case runtime::TokenStatus::kUnknown:
      break;
  }
  return Fail("InvalidToken", "Invalid Token: 'Invalid token'");
}

ApiResult<bool> CheckErrorAndCause(const std::optional<std::string>& error,
                                   const std::optional<std::string>& cause) {
  if (error && error->size() > kMaxErrorChars) {
    return SensitiveConstraintViolation("error",
                                        "Member must have length less than or equal to 256");
  }
  if (cause && cause->size() > kMaxCauseChars) {
    return SensitiveConstraintViolation("cause",
                                        "Member must have length less than or equal to 32768");
  }
  return true;
}

}  // namespace

ApiResult<json::Json> CreateActivity(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(name, request.RequiredString("name"));
  FS_API_TRY(tags, request.OptionalArray("tags"));
  FS_API_TRY(name_length_ok, CheckNameLength(name, "name"));
  if (!IsValidName(name)) {
    return Fail("InvalidName", "Invalid Name: '" + name + "'");
  }
  Activity activity;
  activity.arn = ActivityArn(ctx.options.scope, name);
  FS_API_TRY(tags_ok, CheckTags(tags, activity.arn));
  activity.name = name;
  activity.creation_date = ctx.clock.Now();
  // AWS: creating an activity that exists returns it (idempotent on the name).
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto existing = ctx.store.GetCatalogEntry(store::kActivityCatalog, activity.arn)) {
      const Activity found = ParseActivity(activity.arn, *existing);
      return json::Json{{"activityArn", found.arn},
                        {"creationDate", EpochSeconds(found.creation_date)}};
    }
    const base::Status created = ctx.store.CreateCatalogEntry(store::kActivityCatalog, activity.arn,
                                                              ActivityValue(activity));
    if (created.ok()) {
      FS_API_TRY(tagged, AddTags(ctx, activity.arn, tags));
      return json::Json{{"activityArn", activity.arn},
                        {"creationDate", EpochSeconds(activity.creation_date)}};
    }
    if (!created.IsAlreadyExists()) {
      return Fail("InternalFailure", created.message(), 500);
    }
  }
  return Fail("ActivityAlreadyExists", "Activity Already Exists: '" + activity.arn + "'");
}

ApiResult<json::Json> DescribeActivity(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("activityArn"));
  FS_API_TRY(activity, LoadActivity(ctx, arn));
  return RenderActivity(activity);
}

ApiResult<json::Json> DeleteActivity(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("activityArn"));
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kActivity)));
  // AWS: deleting an activity that does not exist succeeds.
  (void)ctx.store.DeleteCatalogEntry(store::kActivityCatalog, arn);
  DeleteTags(ctx, arn);
  return json::Json::object();
}

ApiResult<json::Json> ListActivities(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(limit, PageSize(request, kMaxListResults, 100));
  FS_API_TRY(token, request.OptionalString("nextToken"));
  store::PageRequest page{limit, ""};
  if (token) {
    FS_API_TRY(cursor, DecodePageToken("ListActivities", *token));
    page.token = std::move(cursor);
  }
  auto result = ctx.store.ListCatalogEntries(store::kActivityCatalog, "", page);
  if (!result) {
    return Fail("InvalidToken", "Invalid Token: '" + token.value_or("") + "'");
  }
  json::Json items = json::Json::array();
  for (const auto& entry : result->items) {
    items.push_back(RenderActivity(ParseActivity(entry.key, entry.value)));
  }
  json::Json out = {{"activities", std::move(items)}};
  if (!result->next_token.empty()) {
    out["nextToken"] = EncodePageToken("ListActivities", result->next_token);
  }
  return out;
}

void GetActivityTask(Api::Context& ctx, const RequestReader& request, ApiDone done) {
  auto checked = [&]() -> ApiResult<std::pair<std::string, std::string>> {
    FS_API_TRY(arn, request.RequiredString("activityArn"));
    FS_API_TRY(worker, request.OptionalString("workerName"));
    if (worker && worker->size() > 80) {
      return ConstraintViolation(*worker, "workerName",
                                 "Member must have length less than or equal to 80");
    }
    FS_API_TRY(activity, LoadActivity(ctx, arn));
    return std::make_pair(std::move(arn), worker.value_or(""));
  }();
  if (!checked) {
    done(ErrorResponse(checked.error()));
    return;
  }
  auto shared_done = std::make_shared<ApiDone>(std::move(done));
  const base::Status polled = ctx.runtime.activities().Poll(
      checked->first, checked->second, [shared_done](std::optional<runtime::ActivityTask> task) {
        json::Json out = json::Json::object();
        if (task) {
          out["taskToken"] = task->token;
          out["input"] = task->input;
        }
        (*shared_done)(OkResponse(out));
      });
  if (!polled.ok()) {
    (*shared_done)(ErrorResponse(ApiError{"ActivityWorkerLimitExceeded", polled.message()}));
  }
}

ApiResult<json::Json> SendTaskSuccess(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(token, ReadTaskToken(request));
  FS_API_TRY(output, request.RequiredString("output"));
  if (output.size() > kMaxPayloadBytes) {
    return SensitiveConstraintViolation("output",
                                        "Member must have length less than or equal to 262144");
  }
  auto parsed = json::Parse(output);
  if (!parsed) {
    return Fail("InvalidOutput", "Invalid Output: '" + parsed.error().message() + "'");
  }
  model::Input answer;
  answer.kind = model::InputKind::kTaskSucceeded;
  answer.payload = std::move(*parsed);
  return AnswerTask(ctx, token, std::move(answer));
}

ApiResult<json::Json> SendTaskFailure(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(token, ReadTaskToken(request));
  FS_API_TRY(error, request.OptionalString("error"));
  FS_API_TRY(cause, request.OptionalString("cause"));
  FS_API_TRY(sizes_ok, CheckErrorAndCause(error, cause));
  model::Input answer;
  answer.kind = model::InputKind::kTaskFailed;
  answer.error = error.value_or("");
  answer.cause = cause.value_or("");
  return AnswerTask(ctx, token, std::move(answer));
}

ApiResult<json::Json> SendTaskHeartbeat(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(token, ReadTaskToken(request));
  model::Input answer;
  answer.kind = model::InputKind::kHeartbeat;
  return AnswerTask(ctx, token, std::move(answer));
}

}  // namespace flowstate::api
