// JSONata expressions at create/validate time (AWS-REFERENCE.md §6.4): every "{% %}" string of a
// JSONata state must parse, must not read the absent top-level context (`phone`, `$`, `$$`) and
// may read `$states.result` only where a result exists (a Task's, Parallel's or Map's own Output
// and Assign) and `$states.errorOutput` only in a Catcher.
#include <string>
#include <string_view>

#include "asl/validator.h"
#include "asl/validator_checks.h"
#include "json/json.h"
#include "query/jsonata/expression.h"
#include "query/jsonata_static_check.h"
#include "query/jsonata_template.h"

namespace flowstate::asl {
namespace {

using json::Json;

constexpr std::string_view kInvalid = "INVALID_JSONATA_EXPRESSION";
constexpr std::string_view kUnsupported = "UNSUPPORTED_JSONATA_EXPRESSION";

// Fields of a JSONata state whose strings may hold expressions (Choices and Catch apart).
constexpr std::string_view kExpressionFields[] = {"Arguments",
                                                  "Output",
                                                  "Assign",
                                                  "Items",
                                                  "ItemSelector",
                                                  "ItemReader",
                                                  "ItemBatcher",
                                                  "ResultWriter",
                                                  "TimeoutSeconds",
                                                  "HeartbeatSeconds",
                                                  "Seconds",
                                                  "Timestamp",
                                                  "Error",
                                                  "Cause",
                                                  "MaxConcurrency",
                                                  "ToleratedFailureCount",
                                                  "ToleratedFailurePercentage",
                                                  "Credentials"};

// Which `$states` members the field being checked offers.
struct Offers {
  bool result = false;
  bool error_output = false;
};

class JsonataChecker {
 public:
  explicit JsonataChecker(DiagnosticSink& sink) : sink_(sink) {}

  void CheckRoot(const Json& root) {
    const auto it = root.find("QueryLanguage");
    top_jsonata_ = it != root.end() && it->is_string() && *it == "JSONata";
    CheckScope(root, "");
  }

 private:
  void CheckScope(const Json& scope, const std::string& prefix) {
    const auto states = scope.find("States");
    if (states == scope.end() || !states->is_object()) return;
    for (const auto& [name, state] : states->items()) {
      if (state.is_object()) CheckState(state, prefix + "/States/" + name);
    }
  }

  void CheckState(const Json& state, const std::string& location) {
    bool jsonata = top_jsonata_;
    if (const auto it = state.find("QueryLanguage"); it != state.end() && it->is_string()) {
      jsonata = *it == "JSONata";
    }
    const std::string type = state.value("Type", "");
    const bool has_result = type == "Task" || type == "Parallel" || type == "Map";
    if (jsonata) {
      for (std::string_view field : kExpressionFields) {
        const auto it = state.find(std::string(field));
        if (it == state.end()) continue;
        Offers offers;
        offers.result = has_result && (field == "Output" || field == "Assign");
        CheckValue(*it, location + "/" + std::string(field), offers);
      }
      CheckRules(state, location);
      CheckCatchers(state, location);
    }
    if (const auto branches = state.find("Branches"); branches != state.end()) {
      if (branches->is_array()) {
        for (size_t idx = 0; idx < branches->size(); ++idx) {
          if ((*branches)[idx].is_object()) {
            CheckScope((*branches)[idx], Indexed(location, "Branches", idx));
          }
        }
      }
    }
    for (const char* processor : {"ItemProcessor", "Iterator"}) {
      const auto it = state.find(processor);
      if (it != state.end() && it->is_object()) {
        CheckScope(*it, location + "/" + processor);
      }
    }
  }

  void CheckRules(const Json& state, const std::string& location) {
    const auto choices = state.find("Choices");
    if (choices == state.end() || !choices->is_array()) return;
    for (size_t idx = 0; idx < choices->size(); ++idx) {
      const Json& rule = (*choices)[idx];
      if (!rule.is_object()) continue;
      for (const char* field : {"Condition", "Output", "Assign"}) {
        const auto it = rule.find(field);
        if (it != rule.end()) {
          CheckValue(*it, Indexed(location, "Choices", idx) + "/" + field, Offers{});
        }
      }
    }
  }

  void CheckCatchers(const Json& state, const std::string& location) {
    const auto catchers = state.find("Catch");
    if (catchers == state.end() || !catchers->is_array()) return;
    for (size_t idx = 0; idx < catchers->size(); ++idx) {
      const Json& catcher = (*catchers)[idx];
      if (!catcher.is_object()) continue;
      for (const char* field : {"Output", "Assign"}) {
        const auto it = catcher.find(field);
        if (it != catcher.end()) {
          CheckValue(*it, Indexed(location, "Catch", idx) + "/" + field, Offers{false, true});
        }
      }
    }
  }

  void CheckValue(const Json& value, const std::string& location, const Offers& offers) {
    if (value.is_object()) {
      for (const auto& [key, member] : value.items()) {
        CheckValue(member, location + "/" + key, offers);
      }
    } else if (value.is_array()) {
      for (size_t idx = 0; idx < value.size(); ++idx) {
        CheckValue(value[idx], location + "[" + std::to_string(idx) + "]", offers);
      }
    } else if (value.is_string() && query::IsJsonataString(value.get_ref<const std::string&>())) {
      CheckExpression(value.get_ref<const std::string&>(), location, offers);
    }
  }

  void CheckExpression(const std::string& text, const std::string& location, const Offers& offers) {
    auto compiled = query::JsonataTemplate::Compile(Json(text));
    if (!compiled) {
      sink_.Error(kInvalid, compiled.error().message(), location);
      return;
    }
    const query::jsonata::Expression& expression = *compiled->expressions().front();
    for (const std::string& name : query::TopLevelReferences(expression)) {
      sink_.Error(kUnsupported, "Reference to '" + name + "' at the top level is not supported.",
                  location);
    }
    if (!offers.result && query::ReadsStatesMember(expression, "result")) {
      sink_.Error(kUnsupported, "Field '$states.result' does not exist.", location);
    }
    if (!offers.error_output && query::ReadsStatesMember(expression, "errorOutput")) {
      sink_.Error(kUnsupported, "Field '$states.errorOutput' does not exist.", location);
    }
  }

  DiagnosticSink& sink_;
  bool top_jsonata_ = false;
};

}  // namespace

void CheckJsonataExpressions(const Json& definition, DiagnosticSink& sink) {
  JsonataChecker(sink).CheckRoot(definition);
}

}  // namespace flowstate::asl
