// CreateStateMachine, DescribeStateMachine, UpdateStateMachine, DeleteStateMachine,
// ListStateMachines, ValidateStateMachineDefinition (AWS-REFERENCE.md §3.1, §3.5).
#include <optional>
#include <string>

#include "api/operations.h"
#include "api/page_token.h"
#include "api/render.h"
#include "asl/definition.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace flowstate::api {
namespace {

constexpr size_t kMaxDefinitionChars = 1024 * 1024;
constexpr int kMaxListResults = 1000;
constexpr int kMaxValidateResults = 100;
constexpr std::string_view kDefaultLogging = R"({"level":"OFF","includeExecutionData":false})";
constexpr std::string_view kDefaultTracing = R"({"enabled":false})";

ApiResult<model::WorkflowType> ReadType(const RequestReader& request) {
  FS_API_TRY(type, request.OptionalString("type"));
  if (!type || *type == "STANDARD") {
    return model::WorkflowType::kStandard;
  }
  if (*type == "EXPRESS") {
    return model::WorkflowType::kExpress;
  }
  return ConstraintViolation(*type, "type",
                             "Member must satisfy enum value set: [STANDARD, EXPRESS]");
}

ApiResult<std::string> ReadDefinition(const RequestReader& request) {
  FS_API_TRY(definition, request.RequiredString("definition"));
  if (definition.empty() || definition.size() > kMaxDefinitionChars) {
    return SensitiveConstraintViolation("definition",
                                        "Member must have length less than or equal to 1048576");
  }
  return definition;
}

ApiResult<std::string> ReadRoleArn(std::string role_arn) {
  if (!role_arn.starts_with("arn:")) {
    return Fail("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: " + role_arn + "'");
  }
  return role_arn;
}

// Compiles the definition (validating it as AWS does) and caches the model for `revision_id`.
ApiResult<bool> CompileDefinition(Api::Context& ctx, const std::string& definition,
                                  model::WorkflowType type, const std::string& revision_id) {
  asl::ValidationOptions options;
  options.express = type == model::WorkflowType::kExpress;
  auto model = asl::LoadDefinition(definition, options);
  if (!model) {
    return Fail("InvalidDefinition", model.error().message());
  }
  ctx.runtime.models().Put(revision_id, std::move(*model));
  return true;
}

// A configuration member kept as JSON text; `fallback` when not given.
ApiResult<std::string> ReadConfiguration(const RequestReader& request, std::string_view name,
                                         std::string_view fallback) {
  FS_API_TRY(value, request.OptionalObject(name));
  return value == nullptr ? std::string(fallback) : json::Dump(*value);
}

// versionDescription: at most 256 characters.
ApiResult<std::string> ReadVersionDescription(const RequestReader& request) {
  FS_API_TRY(description, request.OptionalString("versionDescription"));
  if (description && description->size() > 256) {
    return SensitiveConstraintViolation("versionDescription",
                                        "Member must have length less than or equal to 256");
  }
  return description.value_or("");
}

// A LoggingConfiguration as AWS accepts it (level, one CloudWatch Logs destination unless OFF).
ApiResult<std::string> ReadLoggingConfiguration(const RequestReader& request,
                                                std::string_view fallback) {
  FS_API_TRY(text, ReadConfiguration(request, "loggingConfiguration", fallback));
  auto parsed = json::Parse(text);
  if (!parsed) {
    return Fail("ValidationException", "Invalid loggingConfiguration");
  }
  auto settings = runtime::ParseLoggingConfiguration(*parsed);
  if (!settings) {
    return Fail(settings.error().code, settings.error().message);
  }
  return text;
}

ApiResult<store::StateMachinePtr> LoadStateMachine(Api::Context& ctx, const std::string& arn) {
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachine)));
  auto record = ctx.store.GetStateMachine(arn);
  if (!record) {
    return Fail("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
  }
  return std::move(*record);
}

}  // namespace

ApiResult<json::Json> CreateStateMachine(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(name, request.RequiredString("name"));
  FS_API_TRY(definition, ReadDefinition(request));
  FS_API_TRY(role, request.RequiredString("roleArn"));
  FS_API_TRY(type, ReadType(request));
  FS_API_TRY(logging, ReadLoggingConfiguration(request, kDefaultLogging));
  FS_API_TRY(tracing, ReadConfiguration(request, "tracingConfiguration", kDefaultTracing));
  FS_API_TRY(tags, request.OptionalArray("tags"));
  FS_API_TRY(publish, request.OptionalBool("publish"));
  FS_API_TRY(version_description, ReadVersionDescription(request));
  FS_API_TRY(name_length_ok, CheckNameLength(name, "name"));
  if (!IsValidName(name)) {
    return Fail("InvalidName", "Invalid Name: '" + name + "'");
  }
  FS_API_TRY(role_arn, ReadRoleArn(std::move(role)));
  store::StateMachineRecord record;
  record.name = name;
  record.arn = StateMachineArn(ctx.options.scope, name);
  FS_API_TRY(tags_ok, CheckTags(tags, record.arn));
  // AWS: a repeat of an identical create is idempotent (AWS-REFERENCE.md §5).
  if (auto found = ctx.store.GetStateMachine(record.arn)) {
    const store::StateMachinePtr& existing = *found;
    if (existing->definition == definition && existing->type == type &&
        existing->logging_configuration == logging && existing->tracing_configuration == tracing) {
      json::Json out{{"stateMachineArn", existing->arn},
                     {"creationDate", EpochSeconds(existing->creation_date)}};
      if (publish.value_or(false)) {
        FS_API_TRY(version_arn, PublishVersion(ctx, *existing, version_description));
        out["stateMachineVersionArn"] = version_arn;
      }
      return out;
    }
    return Fail("StateMachineAlreadyExists", "State Machine Already Exists: '" + record.arn + "'");
  }
  record.revision_id = NewUuid();
  FS_API_TRY(compiled, CompileDefinition(ctx, definition, type, record.revision_id));
  record.definition = std::move(definition);
  record.role_arn = std::move(role_arn);
  record.type = type;
  record.logging_configuration = std::move(logging);
  record.tracing_configuration = std::move(tracing);
  record.creation_date = ctx.clock.Now();
  record.update_date = record.creation_date;
  if (auto status = ctx.store.CreateStateMachine(record); !status.ok()) {
    // Lost a race with an identical name: AWS reports the conflict.
    return Fail("StateMachineAlreadyExists", "State Machine Already Exists: '" + record.arn + "'");
  }
  FS_API_TRY(tagged, AddTags(ctx, record.arn, tags));
  json::Json out{{"stateMachineArn", record.arn},
                 {"creationDate", EpochSeconds(record.creation_date)}};
  if (publish.value_or(false)) {
    FS_API_TRY(version_arn, PublishVersion(ctx, record, version_description));
    out["stateMachineVersionArn"] = version_arn;
  }
  return out;
}

ApiResult<json::Json> DescribeStateMachine(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineArn"));
  FS_API_TRY(parsed,
             ParseArn(arn, Allow(ArnKind::kStateMachine) | Allow(ArnKind::kStateMachineVersion) |
                               Allow(ArnKind::kStateMachineAlias)));
  if (parsed.kind == ArnKind::kStateMachineAlias) {
    // AWS: an alias ARN describes the state machine itself.
    FS_API_TRY(alias_target, ResolveStateMachine(ctx, arn, /*route=*/false));
    arn = alias_target.machine_arn;
  }
  FS_API_TRY(resolved, ResolveStateMachine(ctx, arn, /*route=*/false));
  const store::StateMachineRecord& record = *resolved.machine;
  json::Json out = json::Json::object();
  out["stateMachineArn"] = resolved.version_arn.empty() ? record.arn : resolved.version_arn;
  out["name"] = record.name;
  out["status"] = "ACTIVE";
  out["definition"] = record.definition;
  out["roleArn"] = record.role_arn;
  out["type"] = WorkflowTypeName(record.type);
  out["creationDate"] = EpochSeconds(record.creation_date);
  out["loggingConfiguration"] = json::Parse(record.logging_configuration).value_or(json::Json());
  out["tracingConfiguration"] = json::Parse(record.tracing_configuration).value_or(json::Json());
  out["revisionId"] = record.revision_id;
  if (!resolved.version_arn.empty() && !resolved.version_description.empty()) {
    out["description"] = resolved.version_description;
  }
  AddVariableReferences(record.definition, out);
  return out;
}

ApiResult<json::Json> UpdateStateMachine(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineArn"));
  FS_API_TRY(definition, request.OptionalString("definition"));
  FS_API_TRY(role, request.OptionalString("roleArn"));
  FS_API_TRY(logging, request.OptionalObject("loggingConfiguration"));
  if (logging != nullptr) {
    if (auto settings = runtime::ParseLoggingConfiguration(*logging); !settings) {
      return Fail(settings.error().code, settings.error().message);
    }
  }
  FS_API_TRY(tracing, request.OptionalObject("tracingConfiguration"));
  FS_API_TRY(publish, request.OptionalBool("publish"));
  FS_API_TRY(version_description, ReadVersionDescription(request));
  FS_API_TRY(current, LoadStateMachine(ctx, arn));
  store::StateMachineRecord record = *current;
  if (!definition && !role && logging == nullptr && tracing == nullptr && !publish) {
    return Fail("MissingRequiredParameter",
                "Either the definition, the role ARN, the LoggingConfiguration, or the "
                "TracingConfiguration must be specified");
  }
  const std::string revision_id = NewUuid();
  if (definition) {
    if (definition->empty() || definition->size() > kMaxDefinitionChars) {
      return SensitiveConstraintViolation("definition",
                                          "Member must have length less than or equal to 1048576");
    }
    FS_API_TRY(compiled, CompileDefinition(ctx, *definition, record.type, revision_id));
    record.definition = std::move(*definition);
  } else {
    // Same definition under a new revision id: share the compiled model.
    auto model = ctx.runtime.models().GetOrLoad(record.revision_id, record.definition, record.type);
    if (model) {
      ctx.runtime.models().Put(revision_id, *model);
    }
  }
  if (role) {
    FS_API_TRY(role_arn, ReadRoleArn(std::move(*role)));
    record.role_arn = std::move(role_arn);
  }
  if (logging != nullptr) {
    record.logging_configuration = json::Dump(*logging);
  }
  if (tracing != nullptr) {
    record.tracing_configuration = json::Dump(*tracing);
  }
  record.revision_id = revision_id;
  record.update_date = ctx.clock.Now();
  if (auto status = ctx.store.UpdateStateMachine(record); !status.ok()) {
    return Fail("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
  }
  json::Json out{{"updateDate", EpochSeconds(record.update_date)},
                 {"revisionId", record.revision_id}};
  if (publish.value_or(false)) {
    FS_API_TRY(version_arn, PublishVersion(ctx, record, version_description));
    out["stateMachineVersionArn"] = version_arn;
  }
  return out;
}

ApiResult<json::Json> DeleteStateMachine(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineArn"));
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachine)));
  // AWS: deleting a state machine that does not exist succeeds; its versions, aliases and tags
  // go with it.
  (void)ctx.store.DeleteStateMachine(arn);
  DeleteVersionsAndAliases(ctx, arn);
  DeleteTags(ctx, arn);
  return json::Json::object();
}

ApiResult<json::Json> ListStateMachines(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(limit, PageSize(request, kMaxListResults, 100));
  FS_API_TRY(token, request.OptionalString("nextToken"));
  store::PageRequest page{limit, ""};
  if (token) {
    FS_API_TRY(cursor, DecodePageToken("ListStateMachines", *token));
    page.token = std::move(cursor);
  }
  auto result = ctx.store.ListStateMachines(page);
  if (!result) {
    return Fail("InvalidToken", "Invalid Token: '" + page.token + "'");
  }
  json::Json items = json::Json::array();
  for (const auto& record : result->items) {
    items.push_back({{"stateMachineArn", record.arn},
                     {"name", record.name},
                     {"type", WorkflowTypeName(record.type)},
                     {"creationDate", EpochSeconds(record.creation_date)}});
  }
  json::Json out = {{"stateMachines", std::move(items)}};
  if (!result->next_token.empty()) {
    out["nextToken"] = EncodePageToken("ListStateMachines", result->next_token);
  }
  return out;
}

ApiResult<json::Json> ValidateStateMachineDefinition(Api::Context& /*ctx*/,
                                                     const RequestReader& request) {
  FS_API_TRY(definition, ReadDefinition(request));
  FS_API_TRY(type, ReadType(request));
  FS_API_TRY(severity, request.OptionalString("severity"));
  FS_API_TRY(limit, PageSize(request, kMaxValidateResults, kMaxValidateResults));
  if (severity && *severity != "ERROR" && *severity != "WARNING") {
    return ConstraintViolation(*severity, "severity",
                               "Member must satisfy enum value set: [ERROR, WARNING]");
  }
  const bool with_warnings = severity && *severity == "WARNING";
  asl::ValidationOptions options;
  options.express = type == model::WorkflowType::kExpress;
  const auto diagnostics = asl::ValidateDefinitionText(definition, options);

  json::Json items = json::Json::array();
  bool failed = false;
  bool truncated = false;
  for (const auto& diagnostic : diagnostics) {
    const bool is_error = diagnostic.severity == "ERROR";
    failed = failed || is_error;
    if (!is_error && !with_warnings) {
      continue;
    }
    if (static_cast<int>(items.size()) == limit) {
      truncated = true;
      continue;
    }
    items.push_back(asl::DiagnosticToJson(diagnostic));
  }
  return json::Json{{"result", failed ? "FAIL" : "OK"},
                    {"diagnostics", std::move(items)},
                    {"truncated", truncated}};
}

}  // namespace flowstate::api
