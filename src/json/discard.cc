#include "json/discard.h"

#include "json/json.h"

namespace flowstate::json {
namespace {

constexpr int kDiscardDepth = 64;

// Empties `value`'s containers, children first, so that when `value` itself goes nlohmann
// finds nothing to move.
void EmptyContainers(Json& value, int depth) {
  if (depth >= kDiscardDepth) return;
  if (auto* object = value.get_ptr<Json::object_t*>()) {
    for (auto& member : *object) {
      if (member.second.is_structured()) EmptyContainers(member.second, depth + 1);
    }
    object->clear();
  } else if (auto* array = value.get_ptr<Json::array_t*>()) {
    for (auto& item : *array) {
      if (item.is_structured()) EmptyContainers(item, depth + 1);
    }
    array->clear();
  }
}

}  // namespace

void Discard(Json& value) {
  if (!value.is_structured()) {
    if (!value.is_null()) value = nullptr;
    return;
  }
  EmptyContainers(value, 0);
  value = nullptr;
}

void Replace(Json& to, Json&& from) {
  if (to.is_structured()) EmptyContainers(to, 0);
  // A swap, not a move assignment: that would move `from` into a by-value parameter and destroy
  // it there. `from` is left holding what `to` held, emptied.
  to.swap(from);
}

}  // namespace flowstate::json
