// TagResource, UntagResource, ListTagsForResource and the `tags` of CreateStateMachine and
// CreateActivity (AWS-REFERENCE.md §3.5, §4). A resource's tags are one catalog entry (kind
// "tags", key = resource ARN, value {key: value} in the order they were first set).
#include <string>

#include "api/operations.h"
#include "store/store.h"

namespace flowstate::api {
namespace {

constexpr size_t kMaxTags = 50;
constexpr size_t kMaxKeyChars = 128;
constexpr size_t kMaxValueChars = 256;

tl::unexpected<ApiError> ResourceNotFound(const std::string& arn) {
  ApiError error{"ResourceNotFound", "Resource not found: '" + arn + "'", 404};
  error.resource_name = arn;
  return tl::unexpected<ApiError>(std::move(error));
}

// State machines and activities can be tagged; anything else (or one that does not exist) is
// ResourceNotFound, a malformed ARN InvalidArn.
ApiResult<bool> CheckTaggable(Api::Context& ctx, const std::string& arn) {
  FS_API_TRY(parsed, ParseArn(arn, Allow(ArnKind::kStateMachine) | Allow(ArnKind::kActivity)));
  const bool exists = parsed.kind == ArnKind::kStateMachine
                          ? ctx.store.GetStateMachine(arn).has_value()
                          : ctx.store.GetCatalogEntry(store::kActivityCatalog, arn).has_value();
  if (!exists) {
    return ResourceNotFound(arn);
  }
  return true;
}

json::Json LoadTags(Api::Context& ctx, const std::string& arn) {
  auto text = ctx.store.GetCatalogEntry(store::kTagCatalog, arn);
  if (text) {
    auto parsed = json::Parse(*text);
    if (parsed && parsed->is_object()) {
      return std::move(*parsed);
    }
  }
  return json::Json::object();
}

ApiResult<bool> SaveTags(Api::Context& ctx, const std::string& arn, const json::Json& tags) {
  const base::Status status =
      tags.empty() ? ctx.store.DeleteCatalogEntry(store::kTagCatalog, arn)
                   : ctx.store.PutCatalogEntry(store::kTagCatalog, arn, json::Dump(tags));
  if (!status.ok() && !status.IsNotFound()) {
    return Fail("InternalFailure", status.message(), 500);
  }
  return true;
}

ApiResult<std::string> ReadTagText(const json::Json& tag, const char* member, size_t min,
                                   size_t max) {
  auto it = tag.find(member);
  if (it == tag.end() || it->is_null()) {
    if (min == 0) {
      return std::string();
    }
    return MissingField(std::string("tags.member.") + member);
  }
  if (!it->is_string()) {
    return WrongType(member, "a string");
  }
  std::string text = it->get<std::string>();
  if (text.size() < min || text.size() > max) {
    return ConstraintViolation(
        text, std::string("tags.member.") + member,
        "Member must have length " + (text.size() < min
                                          ? "greater than or equal to " + std::to_string(min)
                                          : "less than or equal to " + std::to_string(max)));
  }
  return text;
}

tl::unexpected<ApiError> TooManyTags(const std::string& arn) {
  ApiError error{"TooManyTags", "Too many tags: '" + arn + "' can have at most " +
                                    std::to_string(kMaxTags) + " tags"};
  error.resource_name = arn;
  return tl::unexpected<ApiError>(std::move(error));
}

// Merges `tags` into `into` (a tag set again takes the new value).
ApiResult<bool> MergeTags(const json::Json* tags, const std::string& arn, json::Json& into) {
  if (tags == nullptr) {
    return true;
  }
  for (const json::Json& tag : *tags) {
    if (!tag.is_object()) {
      return WrongType("tags", "a list of Tag structures");
    }
    FS_API_TRY(key, ReadTagText(tag, "key", 1, kMaxKeyChars));
    FS_API_TRY(value, ReadTagText(tag, "value", 0, kMaxValueChars));
    into[key] = value;
  }
  if (into.size() > kMaxTags) {
    return TooManyTags(arn);
  }
  return true;
}

}  // namespace

ApiResult<bool> CheckTags(const json::Json* tags, const std::string& resource_arn) {
  json::Json scratch = json::Json::object();
  return MergeTags(tags, resource_arn, scratch);
}

ApiResult<bool> AddTags(Api::Context& ctx, const std::string& resource_arn,
                        const json::Json* tags) {
  if (tags == nullptr || tags->empty()) {
    return true;
  }
  json::Json current = LoadTags(ctx, resource_arn);
  FS_API_TRY(merged, MergeTags(tags, resource_arn, current));
  return SaveTags(ctx, resource_arn, current);
}

void DeleteTags(Api::Context& ctx, const std::string& resource_arn) {
  (void)ctx.store.DeleteCatalogEntry(store::kTagCatalog, resource_arn);
}

ApiResult<json::Json> TagResource(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("resourceArn"));
  FS_API_TRY(tags, request.OptionalArray("tags"));
  if (tags == nullptr) {
    return MissingField("tags");
  }
  FS_API_TRY(taggable, CheckTaggable(ctx, arn));
  FS_API_TRY(added, AddTags(ctx, arn, tags));
  return json::Json::object();
}

ApiResult<json::Json> UntagResource(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("resourceArn"));
  FS_API_TRY(keys, request.OptionalArray("tagKeys"));
  if (keys == nullptr) {
    return MissingField("tagKeys");
  }
  FS_API_TRY(taggable, CheckTaggable(ctx, arn));
  json::Json current = LoadTags(ctx, arn);
  for (const json::Json& key : *keys) {
    if (!key.is_string()) {
      return WrongType("tagKeys", "a list of strings");
    }
    current.erase(key.get<std::string>());
  }
  FS_API_TRY(saved, SaveTags(ctx, arn, current));
  return json::Json::object();
}

ApiResult<json::Json> ListTagsForResource(Api::Context& ctx, const RequestReader& request) {
  FS_API_TRY(arn, request.RequiredString("resourceArn"));
  FS_API_TRY(taggable, CheckTaggable(ctx, arn));
  const json::Json tags = LoadTags(ctx, arn);
  json::Json items = json::Json::array();
  for (auto it = tags.begin(); it != tags.end(); ++it) {
    items.push_back({{"key", it.key()}, {"value", it.value()}});
  }
  return json::Json{{"tags", std::move(items)}};
}

}  // namespace flowstate::api
