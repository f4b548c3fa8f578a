#include "base/interned_name.h"

#include <mutex>
#include <string>
#include <unordered_set>

namespace flowstate::base {

InternedName InternedName::Intern(std::string_view text) {
  // Node-based: an element's text never moves once inserted. Never freed: names are few.
  static std::mutex mutex;
  static auto* names = new std::unordered_set<std::string>();
  std::lock_guard lock(mutex);
  auto it = names->emplace(text).first;
  return InternedName(std::string_view(*it));
}

}  // namespace flowstate::base
