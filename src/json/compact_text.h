// CompactText: the compact JSON text of a state payload, byte-identical to json::Dump (what the
// history shows and what the payload size limit measures), written by a direct serializer:
// nlohmann's serializer costs ~5k instructions for a 70-byte object (locale lookup, per-value
// buffers), a third of a Pass state's time when history is recorded.
#pragma once

#include <string>
#include <string_view>

#include "json/json.h"

namespace flowstate::json {

// Appends the compact text of `value` to `out`. Values whose formatting is not trivial
// (floating-point numbers, strings with non-ASCII bytes, binary) are delegated to json::Dump,
// so the result always equals json::Dump(value).
void AppendCompactText(const Json& value, std::string& out);

// Appends `text` as a JSON string literal (quotes included), escaped as Dump escapes it.
void AppendQuoted(std::string_view text, std::string& out);

std::string CompactText(const Json& value);

// CompactText(value).size(), counted without building the text: what the payload size limit
// needs when no history records the text.
size_t CompactTextSize(const Json& value);

// Appends CompactText(value) as a JSON string literal, as AppendQuoted(CompactText(value), out)
// would, in one pass over the document (history embeds payloads this way), and returns
// CompactText(value).size().
size_t AppendQuotedCompactText(const Json& value, std::string& out);

}  // namespace flowstate::json
