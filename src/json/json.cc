#include "json/json.h"

namespace flowstate::json {

base::Result<Json> Parse(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return base::Err(base::Status::InvalidArgument(e.what()));
  }
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

size_t DumpedSize(const Json& value) { return Dump(value).size(); }

}  // namespace flowstate::json
