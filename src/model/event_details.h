// EventDetails: the details object of one history event, kept as the JSON text the API returns.
// Events are written once and read rarely (GetExecutionHistory, the store), so each member is
// serialized as it is set: one string per event instead of a tree of JSON nodes, which cost
// most of an engine step's time when history is recorded.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

#include "json/json.h"

namespace flowstate::model {

// JSON text written into the details verbatim (e.g. `{"truncated":false}`).
struct RawJson {
  std::string_view text;
};

class EventDetails {
 public:
  // One member being set: `details["name"] = value` appends `"name":<value>`. A key must be set
  // at most once (events are built in AWS's member order).
  class Member {
   public:
    void operator=(std::string_view text) { details_->AppendString(key_, text); }
    void operator=(const std::string& text) { details_->AppendString(key_, text); }
    void operator=(const char* text) { details_->AppendString(key_, text); }
    // Exact types only: a double must not reach the bool overload by conversion.
    template <std::same_as<bool> Bool>
    void operator=(Bool value) {
      details_->AppendRaw(key_, value ? "true" : "false");
    }
    template <std::integral Integer>
    requires(!std::same_as<Integer, bool>) void operator=(Integer value) {
      details_->AppendRaw(key_, std::to_string(value));
    }
    template <std::floating_point Floating>
    void operator=(Floating value) {
      details_->AppendJson(key_, json::Json(value));
    }
    void operator=(RawJson raw) { details_->AppendRaw(key_, raw.text); }
    void operator=(const json::Json& value) { details_->AppendJson(key_, value); }

   private:
    friend class EventDetails;
    Member(EventDetails* details, std::string_view key) : details_(details), key_(key) {}
    EventDetails* details_;
    std::string_view key_;
  };

  EventDetails() = default;
  // Adopts text already in this form (a details object read back from a store).
  static EventDetails FromText(std::string text);

  Member operator[](std::string_view key) { return Member(this, key); }

  // No details at all (the event carries no details member).
  bool is_null() const { return text_.empty(); }
  // No members: null or `{}`.
  bool empty() const { return text_.size() <= 2; }
  // Makes the details an empty object `{}` (AWS shows some details objects with no members).
  void MakeEmptyObject() { text_ = "{}"; }
  void Clear() { text_.clear(); }
  // Preallocates for members about to be set.
  void Reserve(size_t bytes) { text_.reserve(bytes); }

  // The details as JSON text, "" when null.
  const std::string& text() const { return text_; }
  // The details parsed (null when null): for callers that inspect members.
  json::Json ToJson() const;

  bool operator==(const EventDetails& other) const = default;

 private:
  void OpenMember(std::string_view key);
  void AppendString(std::string_view key, std::string_view text);
  void AppendRaw(std::string_view key, std::string_view raw);
  void AppendJson(std::string_view key, const json::Json& value);

  std::string text_;  // `{"a":1,"b":"x"}`, always a closed object once a member is set
};

}  // namespace flowstate::model
