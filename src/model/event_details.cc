#include "model/event_details.h"

#include <algorithm>
#include <utility>

#include "json/compact_text.h"

namespace flowstate::model {

EventDetails EventDetails::FromText(std::string text) {
  EventDetails details;
  details.text_ = std::move(text);
  return details;
}

json::Json EventDetails::ToJson() const {
  if (text_.empty()) return json::Json();
  auto parsed = json::Parse(text_);
  return parsed ? std::move(*parsed) : json::Json();
}

// Reopens the object: `{...}` -> `{...,"key":` (or `{"key":` when it had no members).
void EventDetails::OpenMember(std::string_view key) {
  if (text_.empty()) {
    text_.push_back('{');
  } else {
    text_.pop_back();  // the closing '}'
    if (text_.size() > 1) text_.push_back(',');
  }
  // Keys are AWS's member names (plain identifiers): written as they are.
  text_.push_back('"');
  text_.append(key);
  text_.append("\":");
}

void EventDetails::AppendString(std::string_view key, std::string_view text) {
  OpenMember(key);
  json::AppendQuoted(text, text_);
  text_.push_back('}');
}

void EventDetails::AppendRaw(std::string_view key, std::string_view raw) {
  // One allocation for this member and the short ones that usually follow it (a payload, then
  // its "...Details"), instead of a regrowth per append.
  const size_t needed = text_.size() + key.size() + raw.size() + 5;
  if (text_.capacity() < needed) text_.reserve(std::max(needed + 64, 2 * text_.capacity()));
  OpenMember(key);
  text_.append(raw);
  text_.push_back('}');
}

void EventDetails::AppendJson(std::string_view key, const json::Json& value) {
  OpenMember(key);
  json::AppendCompactText(value, text_);
  text_.push_back('}');
}

}  // namespace flowstate::model
