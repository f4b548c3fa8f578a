// Writing JSON text by hand on hot paths where building a json::Json first costs more than the
// work itself (StartSyncExecution responses).
#pragma once

#include <string>
#include <string_view>

namespace flowstate::api {

// Appends `value` as a JSON string literal (quoted, escaped; UTF-8 passed through).
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace flowstate::api
