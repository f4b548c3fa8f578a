#include "json/json.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace flowstate::json {
namespace {

// Builds the document from nlohmann's SAX events. nlohmann's own builder adds each member with
// operator[], so an object that grows copies its earlier members, documents and all (see
// AppendMember): parsing {"items": [...10,000 items...], "a": 1, "b": 2, "c": 3} copied the
// items twice. This one adds members with AppendMember. Duplicate keys behave as nlohmann's:
// the last value wins, in the first one's place.
class DomBuilder {
 public:
  explicit DomBuilder(Json& root) : root_(root) {}

  bool null() { return Put(Json(nullptr)), true; }
  bool boolean(bool value) { return Put(Json(value)), true; }
  bool number_integer(Json::number_integer_t value) { return Put(Json(value)), true; }
  bool number_unsigned(Json::number_unsigned_t value) { return Put(Json(value)), true; }
  bool number_float(Json::number_float_t value, const std::string&) {
    return Put(Json(value)), true;
  }
  bool string(std::string& value) { return Put(Json(std::move(value))), true; }
  bool binary(Json::binary_t& value) { return Put(Json::binary(std::move(value))), true; }
  bool start_object(std::size_t) {
    open_.push_back(Put(Json(Json::value_t::object)));
    return true;
  }
  bool key(std::string& name) {
    key_ = std::move(name);
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    open_.push_back(Put(Json(Json::value_t::array)));
    return true;
  }
  bool end_array() {
    open_.pop_back();
    return true;
  }
  template <typename Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& error) {
    error_ = error.what();
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  // Places `value` in the innermost open container (or as the root) and returns where it is.
  // Only the innermost container grows, so the pointers in open_ stay valid.
  Json* Put(Json&& value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& parent = *open_.back();
    if (auto* items = parent.get_ptr<Json::array_t*>()) {
      items->push_back(std::move(value));
      return &items->back();
    }
    auto& members = *parent.get_ptr<Json::object_t*>();
    auto existing = members.find(key_);
    if (existing != members.end()) {
      existing->second = std::move(value);
      return &existing->second;
    }
    return &AppendMember(parent, key_, std::move(value));
  }

  Json& root_;
  std::vector<Json*> open_;
  std::string key_;
  std::string error_;
};

}  // namespace

base::Result<Json> Parse(std::string_view text) {
  Json root;
  DomBuilder builder(root);
  if (!Json::sax_parse(text.begin(), text.end(), &builder)) {
    return base::Err(base::Status::InvalidArgument(builder.error()));
  }
  return root;
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json& AppendMember(Json& object, std::string_view key, Json&& value) {
  auto& members = *object.get_ptr<Json::object_t*>();
  if (members.size() == members.capacity()) {
    Json::object_t grown;
    grown.reserve(std::max<size_t>(4, members.capacity() * 2));
    for (auto& member : members) grown.emplace_back(member.first, std::move(member.second));
    members.swap(grown);
  }
  return members.emplace_back(key, std::move(value)).second;
}

}  // namespace flowstate::json
