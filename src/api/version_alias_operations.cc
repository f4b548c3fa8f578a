// PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion and the five
// alias operations (AWS-REFERENCE.md §3.2), plus resolving version and alias ARNs for
// StartExecution and DescribeStateMachine. Versions and aliases are catalog entries; a version
// names the revision it froze (revisions are kept by the store), an alias routes to one or two
// versions by weight.
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "api/operations.h"
#include "api/page_token.h"
#include "api/render.h"
#include "base/rng.h"
#include "store/store.h"

namespace flowstate::api {
namespace {

constexpr int kMaxListResults = 1000;
constexpr size_t kMaxVersionsPerMachine = 1000;
constexpr size_t kMaxAliasesPerMachine = 100;
constexpr size_t kMaxDescriptionChars = 256;
constexpr int kRoutingWeightTotal = 100;

struct Version {
  std::string arn;
  int64_t number = 0;
  std::string revision_id;
  std::string description;
  base::Timestamp creation_date{};
};

struct Alias {
  std::string arn;
  std::string name;
  std::string description;
  json::Json routing = json::Json::array();  // [{stateMachineVersionArn, weight}]
  base::Timestamp creation_date{};
  base::Timestamp update_date{};
};

std::string VersionKey(const std::string& machine_arn, int64_t number) {
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%010lld", static_cast<long long>(number));
  return machine_arn + ":" + digits;
}

tl::unexpected<ApiError> ResourceNotFound(const std::string& arn) {
  ApiError error{"ResourceNotFound", "Resource not found: '" + arn + "'", 404};
  error.resource_name = arn;
  return tl::unexpected<ApiError>(std::move(error));
}

tl::unexpected<ApiError> MachineDoesNotExist(const std::string& arn) {
  return Fail("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
}

tl::unexpected<ApiError> InvalidRouting(std::string message) {
  ApiError error{"ValidationException", std::move(message)};
  error.reason = "INVALID_ROUTING_CONFIGURATION";
  return tl::unexpected<ApiError>(std::move(error));
}

Version ParseVersion(const std::string& machine_arn, const std::string& value) {
  Version version;
  auto parsed = json::Parse(value);
  if (parsed && parsed->is_object()) {
    version.number = parsed->value("number", int64_t{0});
    version.revision_id = parsed->value("revisionId", "");
    version.description = parsed->value("description", "");
    version.creation_date = base::FromUnixMillis(parsed->value("creationDate", int64_t{0}));
  }
  version.arn = StateMachineVersionArn(machine_arn, version.number);
  return version;
}

std::string VersionValue(const Version& version) {
  return json::Dump(json::Json{{"number", version.number},
                               {"revisionId", version.revision_id},
                               {"description", version.description},
                               {"creationDate", base::ToUnixMillis(version.creation_date)}});
}

Alias ParseAlias(const std::string& arn, const std::string& value) {
  Alias alias;
  alias.arn = arn;
  auto parsed = json::Parse(value);
  if (parsed && parsed->is_object()) {
    alias.name = parsed->value("name", "");
    alias.description = parsed->value("description", "");
    alias.routing = parsed->value("routingConfiguration", json::Json::array());
    alias.creation_date = base::FromUnixMillis(parsed->value("creationDate", int64_t{0}));
    alias.update_date = base::FromUnixMillis(parsed->value("updateDate", int64_t{0}));
  }
  return alias;
}

std::string AliasValue(const Alias& alias) {
  return json::Dump(json::Json{{"name", alias.name},
                               {"description", alias.description},
                               {"routingConfiguration", alias.routing},
                               {"creationDate", base::ToUnixMillis(alias.creation_date)},
                               {"updateDate", base::ToUnixMillis(alias.update_date)}});
}

// Every version of a state machine, oldest first (at most kMaxVersionsPerMachine).
std::vector<Version> AllVersions(Api::Context& ctx, const std::string& machine_arn) {
  std::vector<Version> versions;
  store::PageRequest page{static_cast<int>(kMaxVersionsPerMachine), ""};
  while (true) {
    auto listed = ctx.store.ListCatalogEntries(store::kVersionCatalog, machine_arn + ":", page);
    if (!listed) {
      break;
    }
    for (const auto& entry : listed->items) {
      versions.push_back(ParseVersion(machine_arn, entry.value));
    }
    if (listed->next_token.empty()) {
      break;
    }
    page.token = listed->next_token;
  }
  return versions;
}

std::vector<Alias> AllAliases(Api::Context& ctx, const std::string& machine_arn) {
  std::vector<Alias> aliases;
  store::PageRequest page{static_cast<int>(kMaxAliasesPerMachine), ""};
  while (true) {
    auto listed = ctx.store.ListCatalogEntries(store::kAliasCatalog, machine_arn + ":", page);
    if (!listed) {
      break;
    }
    for (const auto& entry : listed->items) {
      aliases.push_back(ParseAlias(entry.key, entry.value));
    }
    if (listed->next_token.empty()) {
      break;
    }
    page.token = listed->next_token;
  }
  return aliases;
}

ApiResult<Version> LoadVersion(Api::Context& ctx, const ParsedArn& parsed, const std::string& arn) {
  int64_t number = 0;
  try {
    number = std::stoll(parsed.qualifier);
  } catch (const std::exception&) {
    return MachineDoesNotExist(arn);
  }
  auto value =
      ctx.store.GetCatalogEntry(store::kVersionCatalog, VersionKey(parsed.machine_arn, number));
  if (!value) {
    return MachineDoesNotExist(arn);
  }
  return ParseVersion(parsed.machine_arn, *value);
}

ApiResult<Alias> LoadAlias(Api::Context& ctx, const std::string& arn) {
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachineAlias)));
  auto value = ctx.store.GetCatalogEntry(store::kAliasCatalog, arn);
  if (!value) {
    return ResourceNotFound(arn);
  }
  return ParseAlias(arn, *value);
}

// A version picked from an alias' routing configuration by weight.
std::string RouteAlias(const Alias& alias, bool route) {
  if (!route || alias.routing.size() == 1) {
    return alias.routing.at(0).value("stateMachineVersionArn", "");
  }
  thread_local base::Rng rng(base::SecureRandom64());
  int64_t pick = static_cast<int64_t>(rng.Next() % kRoutingWeightTotal);
  for (const json::Json& entry : alias.routing) {
    pick -= entry.value("weight", int64_t{0});
    if (pick < 0) {
      return entry.value("stateMachineVersionArn", "");
    }
  }
  return alias.routing.back().value("stateMachineVersionArn", "");
}

ApiResult<std::string> ReadDescription(const RequestReader& request, const char* member) {
  FS_API_TRY(description, request.OptionalString(member));
  if (description && description->size() > kMaxDescriptionChars) {
    return SensitiveConstraintViolation(member,
                                        "Member must have length less than or equal to 256");
  }
  return description.value_or("");
}

// routingConfiguration: 1-2 distinct versions of one state machine, weights 0-100 summing to
// 100; every version must exist. Returns the state machine's ARN.
ApiResult<std::string> CheckRouting(Api::Context& ctx, const json::Json& routing) {
  if (routing.empty() || routing.size() > 2) {
    return ConstraintViolation(json::Dump(routing), "routingConfiguration",
                               "Member must have length less than or equal to 2");
  }
  std::string machine_arn;
  std::vector<std::string> seen;
  int64_t total = 0;
  for (const json::Json& entry : routing) {
    if (!entry.is_object() || !entry.contains("stateMachineVersionArn") ||
        !entry["stateMachineVersionArn"].is_string() || !entry.contains("weight") ||
        !entry["weight"].is_number_integer()) {
      return MissingField("routingConfiguration.member.stateMachineVersionArn");
    }
    const std::string arn = entry["stateMachineVersionArn"].get<std::string>();
    const int64_t weight = entry["weight"].get<int64_t>();
    if (weight < 0 || weight > kRoutingWeightTotal) {
      return ConstraintViolation(std::to_string(weight), "routingConfiguration.member.weight",
                                 "Member must have value less than or equal to 100");
    }
    FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachineVersion)));
    if (!machine_arn.empty() && parsed.machine_arn != machine_arn) {
      return InvalidRouting("Routing configuration must contain versions of one state machine");
    }
    for (const std::string& other : seen) {
      if (other == arn) {
        return InvalidRouting("Routing configuration must contain distinct versions");
      }
    }
    auto version = LoadVersion(ctx, parsed, arn);
    if (!version) {
      return ResourceNotFound(arn);
    }
    machine_arn = parsed.machine_arn;
    seen.push_back(arn);
    total += weight;
  }
  if (total != kRoutingWeightTotal) {
    return InvalidRouting("Sum of routing configuration weights must be equal to 100");
  }
  return machine_arn;
}

json::Json RenderRouting(const json::Json& routing) {
  json::Json out = json::Json::array();
  for (const json::Json& entry : routing) {
    out.push_back({{"stateMachineVersionArn", entry.value("stateMachineVersionArn", "")},
                   {"weight", entry.value("weight", int64_t{0})}});
  }
  return out;
}

}  // namespace

ApiResult<ResolvedMachine> ResolveStateMachine(Api::Context& ctx, const std::string& arn,
                                               bool route) {
  FS_API_TRY(parsed,
             ParseArn(arn, Allow(ArnKind::kStateMachine) | Allow(ArnKind::kStateMachineVersion) |
                               Allow(ArnKind::kStateMachineAlias)));
  ResolvedMachine resolved;
  resolved.machine_arn = parsed.machine_arn;
  std::string version_arn = arn;
  if (parsed.kind == ArnKind::kStateMachine) {
    auto machine = ctx.store.GetStateMachine(arn);
    if (!machine) {
      return MachineDoesNotExist(arn);
    }
    resolved.machine = std::move(*machine);
    return resolved;
  }
  if (parsed.kind == ArnKind::kStateMachineAlias) {
    FS_API_TRY(alias, LoadAlias(ctx, arn));
    resolved.alias_arn = arn;
    version_arn = RouteAlias(alias, route);
  }
  FS_API_TRY(version_parsed, ParseArn(version_arn, Allow(ArnKind::kStateMachineVersion)));
  FS_API_TRY(version, LoadVersion(ctx, version_parsed, version_arn));
  auto revision = ctx.store.GetRevision(version.revision_id);
  if (!revision || !ctx.store.GetStateMachine(parsed.machine_arn)) {
    return MachineDoesNotExist(arn);
  }
  resolved.machine = std::move(*revision);
  resolved.version_arn = version_arn;
  resolved.version_description = version.description;
  return resolved;
}

ApiResult<std::string> PublishVersion(Api::Context& ctx, const store::StateMachineRecord& machine,
                                      const std::string& description) {
  std::lock_guard lock(ctx.versions_mu);
  std::vector<Version> versions = AllVersions(ctx, machine.arn);
  if (!versions.empty() && versions.back().revision_id == machine.revision_id) {
    return versions.back().arn;  // AWS: publishing a published revision returns its version
  }
  if (versions.size() >= kMaxVersionsPerMachine) {
    return Fail("ServiceQuotaExceededException",
                "Maximum number of versions (1000) reached for '" + machine.arn + "'", 402);
  }
  int64_t last = 0;
  if (auto counter = ctx.store.GetCatalogEntry(store::kVersionCounterCatalog, machine.arn)) {
    last = json::Parse(*counter).value_or(json::Json::object()).value("last", int64_t{0});
  }
  Version version;
  version.number = last + 1;
  version.arn = StateMachineVersionArn(machine.arn, version.number);
  version.revision_id = machine.revision_id;
  version.description = description;
  version.creation_date = ctx.clock.Now();
  base::Status status = ctx.store.PutCatalogEntry(store::kVersionCounterCatalog, machine.arn,
                                                  json::Dump(json::Json{{"last", version.number}}));
  if (status.ok()) {
    status = ctx.store.CreateCatalogEntry(
        store::kVersionCatalog, VersionKey(machine.arn, version.number), VersionValue(version));
  }
  if (!status.ok()) {
    return Fail("InternalFailure", status.message(), 500);
  }
  return version.arn;
}

void DeleteVersionsAndAliases(Api::Context& ctx, const std::string& machine_arn) {
  std::lock_guard lock(ctx.versions_mu);
  for (const Alias& alias : AllAliases(ctx, machine_arn)) {
    (void)ctx.store.DeleteCatalogEntry(store::kAliasCatalog, alias.arn);
  }
  for (const Version& version : AllVersions(ctx, machine_arn)) {
    (void)ctx.store.DeleteCatalogEntry(store::kVersionCatalog,
                                       VersionKey(machine_arn, version.number));
  }
  (void)ctx.store.DeleteCatalogEntry(store::kVersionCounterCatalog, machine_arn);
}

ApiResult<json::Json> PublishStateMachineVersion(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineArn"));
  FS_API_TRY(revision_id, request.OptionalString("revisionId"));
  FS_API_TRY(description, ReadDescription(request, "description"));
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachine)));
  auto machine = ctx.store.GetStateMachine(arn);
  if (!machine) {
    return MachineDoesNotExist(arn);
  }
  if (revision_id && *revision_id != (*machine)->revision_id) {
    return Fail("ConflictException",
                "Failed to publish the State Machine version: the revision id '" + *revision_id +
                    "' is not the current revision '" + (*machine)->revision_id + "'",
                409);
  }
  FS_API_TRY(version_arn, PublishVersion(ctx, **machine, description));
  FS_API_TRY(resolved, ResolveStateMachine(ctx, version_arn, false));
  Version version;
  {
    FS_API_TRY(version_parsed, ParseArn(version_arn, Allow(ArnKind::kStateMachineVersion)));
    FS_API_TRY(loaded, LoadVersion(ctx, version_parsed, version_arn));
    version = loaded;
  }
  return json::Json{{"creationDate", EpochSeconds(version.creation_date)},
                    {"stateMachineVersionArn", version_arn}};
}

ApiResult<json::Json> ListStateMachineVersions(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineArn"));
  FS_API_TRY(limit, PageSize(request, kMaxListResults, 100));
  FS_API_TRY(token, request.OptionalString("nextToken"));
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachine)));
  size_t offset = 0;
  if (token) {
    FS_API_TRY(cursor, DecodePageToken("ListStateMachineVersions\n" + arn, *token));
    offset = std::stoul(cursor.empty() ? "0" : cursor);
  }
  std::vector<Version> versions = AllVersions(ctx, arn);  // oldest first; AWS lists newest first
  json::Json items = json::Json::array();
  size_t index = offset;
  for (; index < versions.size() && static_cast<int>(items.size()) < limit; ++index) {
    const Version& version = versions[versions.size() - 1 - index];
    items.push_back({{"stateMachineVersionArn", version.arn},
                     {"creationDate", EpochSeconds(version.creation_date)}});
  }
  json::Json out = {{"stateMachineVersions", std::move(items)}};
  if (index < versions.size()) {
    out["nextToken"] = EncodePageToken("ListStateMachineVersions\n" + arn, std::to_string(index));
  }
  return out;
}

ApiResult<json::Json> DeleteStateMachineVersion(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineVersionArn"));
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachineVersion)));
  std::lock_guard lock(ctx.versions_mu);
  for (const Alias& alias : AllAliases(ctx, parsed.machine_arn)) {
    for (const json::Json& entry : alias.routing) {
      if (entry.value("stateMachineVersionArn", "") == arn) {
        return Fail("ConflictException",
                    "Version to be deleted must not be referenced by an alias. Current list of "
                    "aliases referencing this version: [" +
                        alias.name + "]",
                    409);
      }
    }
  }
  auto version = LoadVersion(ctx, parsed, arn);
  if (version) {  // AWS: deleting a version that does not exist succeeds
    (void)ctx.store.DeleteCatalogEntry(store::kVersionCatalog,
                                       VersionKey(parsed.machine_arn, version->number));
  }
  return json::Json::object();
}

ApiResult<json::Json> CreateStateMachineAlias(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(name, request.RequiredString("name"));
  FS_API_TRY(description, ReadDescription(request, "description"));
  FS_API_TRY(routing, request.OptionalArray("routingConfiguration"));
  if (routing == nullptr) {
    return MissingField("routingConfiguration");
  }
  FS_API_TRY(name_length_ok, CheckNameLength(name, "name"));
  // AWS: letters, digits, `-` and `_`, and not only digits (that would read as a version).
  if (name.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") !=
          std::string::npos ||
      name.find_first_not_of("0123456789") == std::string::npos) {
    return Fail("InvalidName", "Invalid Name: '" + name + "'");
  }
  std::lock_guard lock(ctx.versions_mu);
  FS_API_TRY(machine_arn, CheckRouting(ctx, *routing));
  if (!ctx.store.GetStateMachine(machine_arn)) {
    return MachineDoesNotExist(machine_arn);
  }
  Alias alias;
  alias.arn = StateMachineAliasArn(machine_arn, name);
  alias.name = name;
  alias.description = description;
  alias.routing = RenderRouting(*routing);
  alias.creation_date = ctx.clock.Now();
  alias.update_date = alias.creation_date;
  if (auto existing = ctx.store.GetCatalogEntry(store::kAliasCatalog, alias.arn)) {
    const Alias found = ParseAlias(alias.arn, *existing);
    if (found.description == alias.description && found.routing == alias.routing) {
      return json::Json{{"stateMachineAliasArn", found.arn},
                        {"creationDate", EpochSeconds(found.creation_date)}};
    }
    return Fail("ConflictException",
                "Alias already exists with a different configuration: '" + alias.arn + "'", 409);
  }
  if (AllAliases(ctx, machine_arn).size() >= kMaxAliasesPerMachine) {
    return Fail("ServiceQuotaExceededException",
                "Maximum number of aliases (100) reached for '" + machine_arn + "'", 402);
  }
  if (auto status =
          ctx.store.CreateCatalogEntry(store::kAliasCatalog, alias.arn, AliasValue(alias));
      !status.ok()) {
    return Fail("InternalFailure", status.message(), 500);
  }
  return json::Json{{"stateMachineAliasArn", alias.arn},
                    {"creationDate", EpochSeconds(alias.creation_date)}};
}

ApiResult<json::Json> DescribeStateMachineAlias(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineAliasArn"));
  FS_API_TRY(alias, LoadAlias(ctx, arn));
  json::Json out = {{"stateMachineAliasArn", alias.arn},
                    {"name", alias.name},
                    {"routingConfiguration", alias.routing},
                    {"creationDate", EpochSeconds(alias.creation_date)},
                    {"updateDate", EpochSeconds(alias.update_date)}};
  if (!alias.description.empty()) {
    out["description"] = alias.description;
  }
  return out;
}

ApiResult<json::Json> UpdateStateMachineAlias(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineAliasArn"));
  FS_API_TRY(description, request.OptionalString("description"));
  FS_API_TRY(routing, request.OptionalArray("routingConfiguration"));
  if (description && description->size() > kMaxDescriptionChars) {
    return SensitiveConstraintViolation("description",
                                        "Member must have length less than or equal to 256");
  }
  if (!description && routing == nullptr) {
    ApiError error{"ValidationException",
                   "Either the description or the RoutingConfiguration must be specified"};
    error.reason = "MISSING_REQUIRED_PARAMETER";
    return tl::unexpected<ApiError>(std::move(error));
  }
  std::lock_guard lock(ctx.versions_mu);
  FS_API_TRY(alias, LoadAlias(ctx, arn));
  if (routing != nullptr) {
    FS_API_TRY(machine_arn, CheckRouting(ctx, *routing));
    FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachineAlias)));
    if (machine_arn != parsed.machine_arn) {
      return InvalidRouting(
          "Routing configuration must contain versions of the alias' state "
          "machine");
    }
    alias.routing = RenderRouting(*routing);
  }
  if (description) {
    alias.description = *description;
  }
  alias.update_date = ctx.clock.Now();
  if (auto status = ctx.store.PutCatalogEntry(store::kAliasCatalog, alias.arn, AliasValue(alias));
      !status.ok()) {
    return Fail("InternalFailure", status.message(), 500);
  }
  return json::Json{{"updateDate", EpochSeconds(alias.update_date)}};
}

ApiResult<json::Json> DeleteStateMachineAlias(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineAliasArn"));
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachineAlias)));
  std::lock_guard lock(ctx.versions_mu);
  if (!ctx.store.DeleteCatalogEntry(store::kAliasCatalog, arn).ok()) {
    return ResourceNotFound(arn);
  }
  return json::Json::object();
}

ApiResult<json::Json> ListStateMachineAliases(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("stateMachineArn"));
  FS_API_TRY(limit, PageSize(request, kMaxListResults, 100));
  FS_API_TRY(token, request.OptionalString("nextToken"));
  FS_API_TRY(parsed,
             ParseArn(arn, Allow(ArnKind::kStateMachine) | Allow(ArnKind::kStateMachineVersion)));
  if (!ctx.store.GetStateMachine(parsed.machine_arn)) {
    return MachineDoesNotExist(parsed.machine_arn);
  }
  if (parsed.kind == ArnKind::kStateMachineVersion) {
    FS_API_TRY(version, LoadVersion(ctx, parsed, arn));
  }
  size_t offset = 0;
  if (token) {
    FS_API_TRY(cursor, DecodePageToken("ListStateMachineAliases\n" + arn, *token));
    offset = std::stoul(cursor.empty() ? "0" : cursor);
  }
  std::vector<Alias> aliases;
  for (Alias& alias : AllAliases(ctx, parsed.machine_arn)) {
    bool routes_here = parsed.kind == ArnKind::kStateMachine;
    for (const json::Json& entry : alias.routing) {
      routes_here = routes_here || entry.value("stateMachineVersionArn", "") == arn;
    }
    if (routes_here) {
      aliases.push_back(std::move(alias));
    }
  }
  json::Json items = json::Json::array();
  size_t index = offset;
  for (; index < aliases.size() && static_cast<int>(items.size()) < limit; ++index) {
    items.push_back({{"stateMachineAliasArn", aliases[index].arn},
                     {"creationDate", EpochSeconds(aliases[index].creation_date)}});
  }
  json::Json out = {{"stateMachineAliases", std::move(items)}};
  if (index < aliases.size()) {
    out["nextToken"] = EncodePageToken("ListStateMachineAliases\n" + arn, std::to_string(index));
  }
  return out;
}

}  // namespace flowstate::api
