// Runs every `kind: execution` case of the shared conformance corpus (the Lambda ones with
// the corpus's functions emulated), in-process: BuildModel + Advance with a manual clock. Compares
// status, output, error, cause (with the corpus's placeholders as wildcards) and the event-type
// sequence (order-free for Map/Parallel cases), as the corpus's run.py --events does.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/definition.h"
#include "asl/state_machine_model.h"
#include "engine/advance.h"
#include "engine_driver.h"
#include "json/json.h"
#include "tasks/lambda_result.h"
#include "tasks/task_result.h"

namespace flowstate::engine {
namespace {

namespace fs = std::filesystem;
using json::Json;

const char* const kCasesDir = FS_SOURCE_DIR "/../shared/conformance/cases";

// The corpus's placeholder rules (run.py Matcher): `<...>` substrings, the case's bare words
// as whole words, and the account id 111111111111 match anything of their kind.
class Matcher {
 public:
  explicit Matcher(std::vector<std::string> bare) : bare_(std::move(bare)) {
    std::sort(bare_.begin(), bare_.end(), [](const std::string& lhs, const std::string& rhs) {
      return lhs.size() > rhs.size();
    });
    std::string pattern = "<[^<>\\s][^<>]*>";
    for (const std::string& word : bare_) {
      if (!word.empty()) {
        pattern += "|" + Escape(word);
      }
    }
    pattern += "|111111111111";
    token_ = std::regex(pattern);
  }

  bool IsWholePlaceholder(const std::string& text) const {
    if (std::find(bare_.begin(), bare_.end(), text) != bare_.end()) {
      return true;
    }
    static const std::regex kAngle("<[^<>\\s][^<>]*>");
    return std::regex_match(text, kAngle);
  }

  bool MatchString(const std::string& expected, const std::string& actual) const {
    if (expected == actual) {
      return true;
    }
    std::string regex;
    size_t pos = 0;
    bool any = false;
    for (auto it = std::sregex_iterator(expected.begin(), expected.end(), token_);
         it != std::sregex_iterator(); ++it) {
      const std::smatch& match = *it;
      // whole-word check for bare words
      size_t start = static_cast<size_t>(match.position());
      std::string token = match.str();
      bool is_word = token[0] != '<' && token != "111111111111";
      if (is_word) {
        bool before_ok = start == 0 || !IsWordChar(expected[start - 1]);
        size_t end = start + token.size();
        bool after_ok = end >= expected.size() || !IsWordChar(expected[end]);
        if (!before_ok || !after_ok) {
          continue;
        }
      }
      any = true;
      regex += Escape(expected.substr(pos, start - pos));
      regex += token == "111111111111" ? "\\d{12}" : "[\\s\\S]*?";
      pos = start + token.size();
    }
    if (!any) {
      return false;
    }
    regex += Escape(expected.substr(pos));
    return std::regex_match(actual, std::regex(regex));
  }

  // Empty when `actual` matches `expected`.
  std::string Diff(const Json& expected, const Json& actual, const std::string& path) const {
    if (expected.is_string()) {
      const std::string& text = expected.get_ref<const std::string&>();
      if (IsWholePlaceholder(text)) {
        return {};
      }
      if (!actual.is_string() || !MatchString(text, actual.get<std::string>())) {
        return path + ": expected " + Short(expected) + ", got " + Short(actual);
      }
      return {};
    }
    if (expected.is_number()) {
      if (!actual.is_number() || expected.get<double>() != actual.get<double>()) {
        return path + ": expected " + Short(expected) + ", got " + Short(actual);
      }
      return {};
    }
    if (expected.is_array()) {
      if (!actual.is_array() || actual.size() != expected.size()) {
        return path + ": expected " + Short(expected) + ", got " + Short(actual);
      }
      for (size_t idx = 0; idx < expected.size(); ++idx) {
        std::string diff = Diff(expected[idx], actual[idx], path + "[" + std::to_string(idx) + "]");
        if (!diff.empty()) {
          return diff;
        }
      }
      return {};
    }
    if (expected.is_object()) {
      if (!actual.is_object()) {
        return path + ": expected object, got " + Short(actual);
      }
      std::set<std::string> rest;
      for (auto it = actual.begin(); it != actual.end(); ++it) rest.insert(it.key());
      for (auto it = expected.begin(); it != expected.end(); ++it) {
        if (actual.contains(it.key())) {
          std::string diff = Diff(it.value(), actual.at(it.key()), path + "." + it.key());
          if (!diff.empty()) return diff;
          rest.erase(it.key());
          continue;
        }
        bool found = false;
        for (const std::string& key : rest) {
          if (MatchString(it.key(), key) &&
              Diff(it.value(), actual.at(key), path + "." + key).empty()) {
            rest.erase(key);
            found = true;
            break;
          }
        }
        if (!found) return path + ": missing key " + it.key();
      }
      if (!rest.empty()) return path + ": unexpected key " + *rest.begin();
      return {};
    }
    if (expected != actual) {
      return path + ": expected " + Short(expected) + ", got " + Short(actual);
    }
    return {};
  }

  static std::string Short(const Json& value) {
    std::string text = json::Dump(value);
    return text.size() > 200 ? text.substr(0, 197) + "..." : text;
  }

 private:
  static bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
  static std::string Escape(const std::string& text) {
    static const std::regex kSpecial(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(text, kSpecial, R"(\$&)");
  }

  std::vector<std::string> bare_;
  std::regex token_;
};

struct CaseResult {
  std::string name;
  std::vector<std::string> problems;
};

bool EventsUnordered(const Json& test_case) {
  if (test_case.value("events_order", "") == "parallel-normalised") return true;
  for (const auto& need : test_case.value("needs", Json::array())) {
    std::string tag = need.get<std::string>();
    if (tag == "map" || tag == "parallel" || tag == "distributed-map") return true;
  }
  return false;
}

// Python's json.dumps (", " and ": " separators, non-ASCII kept) and str(), as the corpus's
// Lambda functions (Python 3.12) write their results.
std::string PyDumps(const Json& value) {
  if (value.is_object()) {
    std::string out = "{";
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      out += json::Dump(Json(it.key())) + ": " + PyDumps(it.value());
    }
    return out + "}";
  }
  if (value.is_array()) {
    std::string out = "[";
    for (size_t idx = 0; idx < value.size(); ++idx) {
      if (idx > 0) out += ", ";
      out += PyDumps(value[idx]);
    }
    return out + "]";
  }
  return json::Dump(value);
}

std::string PyRepr(const Json& value) {
  if (value.is_object()) {
    std::string out = "{";
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      out += PyRepr(Json(it.key())) + ": " + PyRepr(it.value());
    }
    return out + "}";
  }
  if (value.is_array()) {
    std::string out = "[";
    for (size_t idx = 0; idx < value.size(); ++idx) {
      if (idx > 0) out += ", ";
      out += PyRepr(value[idx]);
    }
    return out + "]";
  }
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    char quote =
        text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
    std::string out(1, quote);
    for (char c : text) {
      if (c == quote || c == '\\') out += '\\';
      out += c;
    }
    return out + quote;
  }
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  return json::Dump(value);
}

// The corpus's Lambda functions, answered through the tasks module's result translation (the
// same code the runtime uses on a real Lambda answer).
testing::TaskAnswer LambdaStandIn(const Json& functions) {
  return [functions](const model::OutboundTask& task) -> std::optional<model::Input> {
    const Json* function = nullptr;
    for (const auto& candidate : functions) {
      std::string name = candidate.value("function_name", "");
      const std::string& called = task.function_name;
      if (called == name || called == candidate.value("function_arn", "") ||
          (called.size() > name.size() &&
           called.compare(called.size() - name.size(), name.size(), name) == 0 &&
           called[called.size() - name.size() - 1] == ':')) {
        function = &candidate;
      }
    }
    tasks::HttpAnswer answer;
    answer.status = 200;
    std::string request_id = "11111111-2222-4333-8444-555555555555";
    answer.headers = {{"Content-Type", "application/json"},
                      {"Date", "Mon, 01 Jan 2024 00:00:00 GMT"},
                      {"Connection", "keep-alive"},
                      {"x-amzn-RequestId", request_id},
                      {"x-amzn-Remapped-Content-Length", "0"},
                      {"X-Amz-Executed-Version", "$LATEST"},
                      {"X-Amzn-Trace-Id", "Root=1-00000000-000000000000000000000000"}};
    int64_t delay_ms = 0;
    if (function == nullptr) {
      answer.status = 404;
      answer.headers = {{"x-amzn-ErrorType", "ResourceNotFoundException"}};
      std::string arn =
          task.function_name.rfind("arn:", 0) == 0
              ? task.function_name
              : "arn:aws:lambda:us-east-1:111111111111:function:" + task.function_name;
      answer.body = R"({"Type": "User", "Message": "Function not found: )" + arn + R"(:$LATEST"})";
    } else {
      auto request = tasks::BuildLambdaRequest(task);
      if (!request.ok) {
        model::Input reply;
        reply.kind = model::InputKind::kTaskFailed;
        reply.error = request.failure.error;
        reply.cause = request.failure.cause;
        return reply;
      }
      if (request.request.log_type == "Tail") {
        answer.headers.emplace_back("X-Amz-Log-Result", "U1RBUlQgUmVxdWVzdElkOiAx");
      }
      Json event = Json::object();
      if (!request.request.body.empty()) {
        auto parsed = json::Parse(request.request.body);
        if (parsed) event = *parsed;
      }
      std::string kind = function->value("kind", "");
      if (kind == "identity" || kind == "sleep_then_identity") {
        answer.body = PyDumps(event);
        delay_ms = function->value("sleep_seconds", 0) * 1000;
      } else if (kind == "constant") {
        answer.body = PyDumps(function->value("value", Json()));
      } else if (kind == "decorate_input") {
        answer.body = PyDumps(Json(function->value("prefix", "") + PyRepr(event)));
      } else if (kind == "raw_payload") {
        if (function->contains("payload")) {
          answer.body = function->value("payload", "");
        } else {
          std::string pattern = function->value("payload_pattern", "a");
          size_t size = function->value("size_bytes", 0);
          while (answer.body.size() < size) answer.body += pattern;
          answer.body.resize(size);
        }
      } else if (kind == "raise") {
        answer.headers.emplace_back("X-Amz-Function-Error", "Unhandled");
        Json body = Json::object();
        body["errorMessage"] = function->value("error_message", "");
        body["errorType"] = function->value("error_type", "");
        body["requestId"] = request_id;
        body["stackTrace"] = function->value("stack_trace", Json::array());
        answer.body = PyDumps(body);
      }
    }
    answer.headers.emplace_back("Content-Length", std::to_string(answer.body.size()));
    tasks::TaskResult result = tasks::LambdaResultFromResponse(task, answer);
    model::Input reply;
    if (result.ok) {
      reply.kind = model::InputKind::kTaskSucceeded;
      reply.payload = std::move(result.output);
    } else {
      reply.kind = model::InputKind::kTaskFailed;
      reply.error = result.error;
      reply.cause = result.cause;
    }
    reply.info.start_time = base::FromUnixMillis(delay_ms);
    return reply;
  };
}

std::vector<std::string> RunCase(const Json& test_case) {
  std::vector<std::string> problems;
  Json definition;
  if (test_case.contains("definition")) {
    definition = test_case["definition"];
  } else {
    auto parsed = json::Parse(test_case.value("definition_text", ""));
    if (!parsed) return {"definition_text is not JSON"};
    definition = *parsed;
  }
  auto model = asl::BuildModel(definition);
  if (!model) return {"BuildModel: " + model.error().message()};
  Json input = test_case.value("input", Json::object());
  if (test_case.contains("input_text") && test_case["input_text"].is_string()) {
    auto parsed = json::Parse(test_case["input_text"].get<std::string>());
    if (parsed) input = *parsed;
  }
  testing::TaskAnswer answer;
  if (test_case.contains("lambda_functions")) {
    answer = LambdaStandIn(test_case["lambda_functions"]);
  }
  testing::DriveResult run = testing::Drive(**model, input, answer);
  if (!run.problem.empty()) return {"driver: " + run.problem};
  const Json& expected = test_case["expected"];
  Matcher matcher(test_case.value("placeholders", std::vector<std::string>{}));
  std::string status(model::ToString(run.terminal->status));
  if (status != expected.value("status", "")) {
    problems.push_back("status: expected " + expected.value("status", "") + ", got " + status +
                       " (error=" + run.terminal->error + " cause=" + run.terminal->cause + ")");
    return problems;
  }
  if (status == "SUCCEEDED" && expected.contains("output")) {
    std::string diff = matcher.Diff(expected["output"], run.terminal->output, "$output");
    if (!diff.empty()) problems.push_back(diff);
  }
  if (status != "SUCCEEDED") {
    if (expected.contains("error")) {
      Json actual = run.terminal->has_error ? Json(run.terminal->error) : Json(nullptr);
      std::string diff = matcher.Diff(expected["error"], actual, "error");
      if (!diff.empty()) problems.push_back(diff);
    }
    if (expected.contains("cause")) {
      Json actual = run.terminal->has_cause ? Json(run.terminal->cause) : Json(nullptr);
      if (expected["cause"].is_structured() && run.terminal->has_cause) {
        auto parsed = json::Parse(run.terminal->cause);
        if (parsed) actual = *parsed;
      }
      std::string diff = matcher.Diff(expected["cause"], actual, "cause");
      if (!diff.empty()) problems.push_back(diff);
    }
  }
  if (test_case.contains("expected_events") && !test_case["expected_events"].empty()) {
    std::vector<std::string> expected_types;
    for (const auto& event : test_case["expected_events"]) {
      expected_types.push_back(event["type"].get<std::string>());
    }
    std::vector<std::string> actual_types;
    for (const auto& event : run.events) actual_types.emplace_back(event.type);
    bool same;
    if (EventsUnordered(test_case)) {
      auto sorted_expected = expected_types;
      auto sorted_actual = actual_types;
      std::sort(sorted_expected.begin(), sorted_expected.end());
      std::sort(sorted_actual.begin(), sorted_actual.end());
      // A parallel-normalised recording can have dropped events: its ids then skip numbers
      // (every Parallel recording skips the id where AWS writes ParallelStateSucceeded). The
      // last event's id is still AWS's total, so require that many events, containing every
      // recorded one.
      const Json& last_id = test_case["expected_events"].back()["id"];
      const size_t aws_total =
          last_id.is_number_integer() ? last_id.get<size_t>() : sorted_expected.size();
      std::vector<std::string> unmatched;
      std::set_difference(sorted_expected.begin(), sorted_expected.end(), sorted_actual.begin(),
                          sorted_actual.end(), std::back_inserter(unmatched));
      same = unmatched.empty() && sorted_actual.size() == aws_total && !actual_types.empty() &&
             expected_types.front() == actual_types.front() &&
             expected_types.back() == actual_types.back();
    } else {
      same = expected_types == actual_types;
    }
    if (!same) {
      std::string text = "events: expected [";
      for (const auto& type : expected_types) text += type + " ";
      text += "] got [";
      for (const auto& type : actual_types) text += type + " ";
      problems.push_back(text + "]");
    }
    // Same order as recorded: previousEventId as AWS chains it. Reported apart (run.py does
    // not compare it, and AWS itself races on some Map chains), as a "note:" line.
    if (same && expected_types == actual_types) {
      const Json& expected_events = test_case["expected_events"];
      for (size_t idx = 0; idx < expected_events.size(); ++idx) {
        const Json& prev = expected_events[idx]["previousEventId"];
        if (prev.is_number_integer() && prev.get<int64_t>() != run.events[idx].previous_event_id) {
          problems.push_back("note: events[" + std::to_string(idx) + "] " + expected_types[idx] +
                             ": previousEventId expected " + std::to_string(prev.get<int64_t>()) +
                             ", got " + std::to_string(run.events[idx].previous_event_id));
          break;
        }
      }
    }
    // ids are contiguous from 1
    for (size_t idx = 0; idx < run.events.size(); ++idx) {
      if (run.events[idx].id != static_cast<int64_t>(idx + 1)) {
        problems.push_back("event ids are not contiguous");
        break;
      }
    }
  }
  return problems;
}

void RunCorpus(bool lambda_only) {
  if (!fs::exists(kCasesDir)) {
    GTEST_SKIP() << "no conformance corpus at " << kCasesDir;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kCasesDir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  const char* filter = std::getenv("FS_CASE_FILTER");
  int passed = 0;
  int failed = 0;
  int noted = 0;  // passing cases whose previousEventId chain differs from the recording
  for (const auto& path : files) {
    std::ifstream stream(path);
    std::stringstream buffer;
    buffer << stream.rdbuf();
    auto parsed = json::Parse(buffer.str());
    if (!parsed || parsed->value("kind", "") != "execution") continue;
    bool has_lambda = false;
    for (const auto& need : parsed->value("needs", Json::array())) {
      if (need.get<std::string>() == "lambda") has_lambda = true;
    }
    if (has_lambda != lambda_only) continue;
    std::string name = path.parent_path().filename().string() + "/" + path.stem().string();
    if (filter != nullptr && name.find(filter) == std::string::npos) continue;
    std::vector<std::string> problems = RunCase(*parsed);
    for (auto it = problems.begin(); it != problems.end();) {
      if (it->rfind("note: ", 0) == 0) {
        ++noted;
        std::cout << "NOTE " << name << " " << it->substr(6) << "\n";
        it = problems.erase(it);
      } else {
        ++it;
      }
    }
    if (problems.empty()) {
      ++passed;
    } else {
      ++failed;
      std::string joined;
      for (const auto& problem : problems) joined += "\n    " + problem;
      ADD_FAILURE() << name << joined;
      std::cout << "FAIL " << name << joined << "\n";
    }
  }
  std::cout << "conformance (engine, in-process" << (lambda_only ? ", Lambda stand-in" : "")
            << "): " << passed << " passed, " << failed << " failed (" << noted
            << " with a previousEventId difference)\n";
}

// Every execution case that needs no Lambda function.
TEST(ConformanceTest, ExecutionCases) { RunCorpus(/*lambda_only=*/false); }

// The Lambda cases, with the corpus's functions emulated in-process and their answers
// translated by tasks::LambdaResultFromResponse.
TEST(ConformanceTest, LambdaCases) { RunCorpus(/*lambda_only=*/true); }

}  // namespace
}  // namespace flowstate::engine
