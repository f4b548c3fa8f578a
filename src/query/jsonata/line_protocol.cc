#include "query/jsonata/line_protocol.h"

#include <algorithm>
#include <climits>
#include <istream>
#include <ostream>

#include "json/json.h"
#include "query/jsonata/expression.h"
#include "query/jsonata/stringify.h"

namespace flowstate::query::jsonata {

namespace {

// A request's number as a double within [low, high]: the protocol's limits may be any JSON
// number, and converting one out of range to an integer is undefined behaviour.
double Clamped(const json::Json& number, double low, double high) {
  return std::clamp(number.get<double>(), low, high);
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// JSON parsers reject lone UTF-16 surrogate escapes; inside the expression they are
// re-escaped so the JSONata lexer sees its own `\uXXXX` escape and keeps the code unit.
std::string EscapeLoneSurrogates(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    bool escape = line[i] == '\\' && i + 5 < line.size() && line[i + 1] == 'u' &&
                  (line[i + 2] == 'd' || line[i + 2] == 'D') && IsHex(line[i + 3]) &&
                  IsHex(line[i + 4]) && IsHex(line[i + 5]);
    if (escape) {
      int hi = std::stoi(line.substr(i + 3, 1), nullptr, 16);
      bool high = hi >= 8 && hi <= 0xB;
      bool paired = high && i + 11 < line.size() && line[i + 6] == '\\' && line[i + 7] == 'u' &&
                    (line[i + 8] == 'd' || line[i + 8] == 'D');
      if (hi >= 8 && !paired) {
        out += "\\\\u";
        out += line.substr(i + 2, 4);
        i += 5;
        continue;
      }
      if (paired) {
        out += line.substr(i, 12);
        i += 11;
        continue;
      }
    }
    if (line[i] == '\\' && i + 1 < line.size()) {
      out += line.substr(i, 2);
      i++;
      continue;
    }
    out.push_back(line[i]);
  }
  return out;
}

std::string ErrorResponse(const Error& e) {
  std::string out =
      "{\"error\":{\"code\":" + QuoteJson(e.code) + ",\"message\":" + QuoteJson(e.message);
  if (e.position >= 0) out += ",\"position\":" + std::to_string(e.position);
  if (e.token) out += ",\"token\":" + QuoteJson(*e.token);
  if (e.value && e.value->IsDefined()) out += ",\"value\":" + ToJsonText(*e.value);
  if (e.function_name) out += ",\"functionName\":" + QuoteJson(*e.function_name);
  out += "}}";
  return out;
}

}  // namespace

std::string AnswerJsonataRequest(const std::string& line, const LineProtocolOptions& protocol) {
  auto parsed = json::Parse(line);
  if (!parsed) parsed = json::Parse(EscapeLoneSurrogates(line));
  if (!parsed || !parsed->is_object()) {
    Error e;
    e.code = "S0101";
    e.message = "malformed request";
    return ErrorResponse(e);
  }
  const json::Json& req = *parsed;
  std::string id_field;
  if (req.contains("id") && req["id"].is_string())
    id_field = ",\"id\":" + QuoteJson(req["id"].get<std::string>());
  auto finish = [&](std::string body) {
    body.pop_back();
    return body + id_field + "}";
  };
  std::string source = req.value("expr", "");
  auto expr = Expression::Compile(source);
  if (!expr) return finish(ErrorResponse(expr.error()));
  EvalOptions options;
  if (protocol.enable_eval) options.functions = &EvalFunctionTable();
  if (req.contains("depth") && req["depth"].is_number()) {
    options.limits.max_depth = static_cast<int>(Clamped(req["depth"], 0, INT_MAX));
  }
  if (req.contains("timelimit") && req["timelimit"].is_number()) {
    options.limits.time_limit_ms = static_cast<int64_t>(Clamped(req["timelimit"], 0, 1e15));
  }
  if (req.contains("bindings") && req["bindings"].is_object()) {
    for (auto it = req["bindings"].begin(); it != req["bindings"].end(); ++it) {
      options.bindings.emplace_back(it.key(), FromJson(it.value()));
    }
  }
  Value input = req.contains("data") ? FromJson(req["data"]) : Value();
  auto result = expr->Evaluate(input, options);
  if (!result) return finish(ErrorResponse(result.error()));
  if (result->IsUndefined()) return finish("{\"undefined\":true}");
  return finish("{\"result\":" + ToJsonText(*result) + "}");
}

int RunJsonataLineProtocol(std::istream& in, std::ostream& out,
                           const LineProtocolOptions& options) {
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    out << AnswerJsonataRequest(line, options) << '\n';
    out.flush();
  }
  return 0;
}

}  // namespace flowstate::query::jsonata
