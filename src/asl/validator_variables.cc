// Variable scopes at create/validate time (AWS-REFERENCE.md §6.5): a Parallel branch or an
// inline Map iteration reads the variables of the scopes around it but cannot assign one of
// their names (it would shadow the outer variable for the rest of the branch while the outer
// one keeps its value). The outer names are those the other states of the enclosing scopes
// assign: the Parallel's or Map's own Assign and Catchers run only after its branches, and AWS
// accepts a branch assigning a name its Parallel's Catcher assigns too (conformance case
// PARALLEL_CATCH_ERROR_VARIABLE_SAMPLING). A Distributed Map's iterations see no outer
// variable, so they start afresh.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "asl/validator.h"
#include "asl/validator_checks.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

using json::Json;
using Names = std::set<std::string>;

bool IsJsonata(const Json& object, bool inherited) {
  auto it = object.find("QueryLanguage");
  if (it == object.end() || !it->is_string()) return inherited;
  return *it == "JSONata";
}

// An Assign object with where it sits.
struct Assign {
  const Json* object;
  std::string location;
  bool jsonata;
};

// Every Assign of one state: its own, its Catchers' and its Choice rules'.
std::vector<Assign> AssignsOf(const Json& state, const std::string& location, bool jsonata) {
  std::vector<Assign> out;
  if (auto it = state.find("Assign"); it != state.end() && it->is_object()) {
    out.push_back({&*it, location + "/Assign", jsonata});
  }
  for (const char* list : {"Catch", "Choices"}) {
    auto items = state.find(list);
    if (items == state.end() || !items->is_array()) continue;
    for (size_t i = 0; i < items->size(); ++i) {
      const Json& item = (*items)[i];
      if (!item.is_object()) continue;
      if (auto it = item.find("Assign"); it != item.end() && it->is_object()) {
        out.push_back({&*it, Indexed(location, list, i) + "/Assign", jsonata});
      }
    }
  }
  return out;
}

class ScopeChecker {
 public:
  explicit ScopeChecker(DiagnosticSink& sink) : sink_(sink) {}

  // `outer`: the names the other states of the enclosing scopes assign.
  void CheckScope(const Json& scope, const std::string& location, bool top_jsonata,
                  const Names& outer) {
    auto states = scope.find("States");
    if (states == scope.end() || !states->is_object()) return;
    // Who assigns each name at this level (a name assigned by two states counts for both).
    std::map<std::string, std::set<std::string>> assigners;
    for (auto it = states->begin(); it != states->end(); ++it) {
      if (!it->is_object()) continue;
      const std::string state_location = location + "/States/" + it.key();
      for (const Assign& assign : AssignsOf(*it, state_location, IsJsonata(*it, top_jsonata))) {
        for (auto member = assign.object->begin(); member != assign.object->end(); ++member) {
          std::string name = AssignedName(member.key(), assign.jsonata);
          if (outer.count(name) > 0) {
            sink_.Error("SCHEMA_VALIDATION_FAILED",
                        "The variable '" + name +
                            "' is assigned in an outer scope and cannot be assigned in a "
                            "Parallel branch or Map iteration",
                        assign.location);
          }
          assigners[name].insert(it.key());
        }
      }
    }
    for (auto it = states->begin(); it != states->end(); ++it) {
      if (!it->is_object()) continue;
      Names seen = outer;
      for (const auto& [name, states_assigning] : assigners) {
        if (states_assigning.size() > 1 || states_assigning.count(it.key()) == 0) {
          seen.insert(name);
        }
      }
      const std::string state_location = location + "/States/" + it.key();
      if (auto branches = it->find("Branches"); branches != it->end() && branches->is_array()) {
        for (size_t i = 0; i < branches->size(); ++i) {
          CheckScope((*branches)[i], Indexed(state_location, "Branches", i), top_jsonata, seen);
        }
      }
      for (const char* field : {"ItemProcessor", "Iterator"}) {
        auto processor = it->find(field);
        if (processor == it->end() || !processor->is_object()) continue;
        CheckScope(*processor, state_location + "/" + field, top_jsonata,
                   Distributed(*processor) ? Names() : seen);
      }
    }
  }

 private:
  static bool Distributed(const Json& processor) {
    auto config = processor.find("ProcessorConfig");
    if (config == processor.end() || !config->is_object()) return false;
    auto mode = config->find("Mode");
    return mode != config->end() && mode->is_string() && *mode == "DISTRIBUTED";
  }

  DiagnosticSink& sink_;
};

}  // namespace

void CheckVariableScopes(const Json& definition, DiagnosticSink& sink) {
  ScopeChecker(sink).CheckScope(definition, "", IsJsonata(definition, false), Names());
}

}  // namespace flowstate::asl
