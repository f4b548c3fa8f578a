// Transition-graph rules of ASL definitions (see validator.h). Each scope (the top level, a
// Parallel branch, a Map processor) is its own graph: transitions never leave it.
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "asl/validator.h"
#include "json/json.h"

namespace flowstate::asl {
namespace {

using json::Json;

constexpr std::string_view kMissingTarget = "MISSING_TRANSITION_TARGET";

struct Scope {
  const Json* object;    // {StartAt, States}
  std::string location;  // "" for the top level, "/States/P/Branches[0]" below it
};

struct Edge {
  std::string target;
  std::string location;  // where the dangling name is reported
};

// Every transition a state makes, in the order AWS reports dangling ones.
std::vector<Edge> EdgesOf(const Json& state, const std::string& location) {
  std::vector<Edge> edges;
  auto add = [&](const Json& holder, const std::string& at, std::string_view field) {
    const auto it = holder.find(field);
    if (it != holder.end() && it->is_string()) {
      edges.push_back({it->get<std::string>(), at + "/" + std::string(field)});
    }
  };
  add(state, location, "Next");
  if (const auto choices = state.find("Choices"); choices != state.end() && choices->is_array()) {
    for (size_t i = 0; i < choices->size(); ++i) {
      if ((*choices)[i].is_object()) {
        add((*choices)[i], location + "/Choices[" + std::to_string(i) + "]", "Next");
      }
    }
  }
  add(state, location, "Default");
  if (const auto catches = state.find("Catch"); catches != state.end() && catches->is_array()) {
    for (size_t i = 0; i < catches->size(); ++i) {
      if ((*catches)[i].is_object()) {
        add((*catches)[i], location + "/Catch[" + std::to_string(i) + "]", "Next");
      }
    }
  }
  return edges;
}

bool IsTerminal(const Json& state) {
  const auto type = state.find("Type");
  if (type != state.end() && (*type == "Succeed" || *type == "Fail")) return true;
  const auto end = state.find("End");
  return end != state.end() && end->is_boolean() && end->get<bool>();
}

// Pre-order list of scopes: the top level first, then nested ones as they appear.
void CollectScopes(const Json& object, const std::string& location, std::vector<Scope>& out) {
  out.push_back({&object, location});
  const auto states = object.find("States");
  if (states == object.end() || !states->is_object()) return;
  for (const auto& [name, state] : states->items()) {
    if (!state.is_object()) continue;
    const std::string state_location = location + "/States/" + name;
    if (const auto branches = state.find("Branches");
        branches != state.end() && branches->is_array()) {
      for (size_t i = 0; i < branches->size(); ++i) {
        if ((*branches)[i].is_object()) {
          CollectScopes((*branches)[i], state_location + "/Branches[" + std::to_string(i) + "]",
                        out);
        }
      }
    }
    for (std::string_view field : {"ItemProcessor", "Iterator"}) {
      const auto processor = state.find(field);
      if (processor != state.end() && processor->is_object()) {
        CollectScopes(*processor, state_location + "/" + std::string(field), out);
      }
    }
  }
}

// State names are unique in the whole machine; walked in document order, nested states when
// their Parallel/Map is reached, so the later occurrence is the one reported.
void CheckDuplicates(const Json& scope, const std::string& location,
                     std::unordered_set<std::string>& seen, DiagnosticSink& sink) {
  const auto states = scope.find("States");
  if (states == scope.end() || !states->is_object()) return;
  for (const auto& [name, state] : states->items()) {
    const std::string state_location = location + "/States/" + name;
    if (!seen.insert(name).second) {
      sink.Error("DUPLICATE_STATE_NAME", "Duplicate State name: " + name, state_location);
    }
    if (!state.is_object()) continue;
    if (const auto branches = state.find("Branches");
        branches != state.end() && branches->is_array()) {
      for (size_t i = 0; i < branches->size(); ++i) {
        CheckDuplicates((*branches)[i], state_location + "/Branches[" + std::to_string(i) + "]",
                        seen, sink);
      }
    }
    for (std::string_view field : {"ItemProcessor", "Iterator"}) {
      const auto processor = state.find(field);
      if (processor != state.end() && processor->is_object()) {
        CheckDuplicates(*processor, state_location + "/" + std::string(field), seen, sink);
      }
    }
  }
}

void CheckScopeGraph(const Scope& scope, bool top_level, DiagnosticSink& sink) {
  const Json& states = scope.object->at("States");
  const std::string start_at = scope.object->at("StartAt").get<std::string>();
  std::unordered_map<std::string, std::vector<std::string>> adjacency;
  if (!states.contains(start_at)) {
    sink.Error(kMissingTarget, "Missing 'Next' target: " + start_at, scope.location + "/StartAt");
  }
  bool has_terminal = false;
  for (const auto& [name, state] : states.items()) {
    const std::string location = scope.location + "/States/" + name;
    has_terminal = has_terminal || IsTerminal(state);
    for (Edge& edge : EdgesOf(state, location)) {
      if (!states.contains(edge.target)) {
        sink.Error(kMissingTarget, "Missing 'Next' target: " + edge.target, edge.location);
      } else {
        adjacency[name].push_back(std::move(edge.target));
      }
    }
  }
  if (top_level && !has_terminal) {
    // AWS reports this without a location, and skips the reachability walk.
    sink.Error("MISSING_END_STATE", "Workflow has no terminal state", "");
    return;
  }
  std::unordered_set<std::string> reached;
  std::deque<std::string> queue;
  if (states.contains(start_at)) {
    reached.insert(start_at);
    queue.push_back(start_at);
  }
  while (!queue.empty()) {
    const std::string current = std::move(queue.front());
    queue.pop_front();
    for (const std::string& next : adjacency[current]) {
      if (reached.insert(next).second) queue.push_back(next);
    }
  }
  for (const auto& [name, state] : states.items()) {
    if (reached.count(name) == 0) {
      sink.Error(kMissingTarget, "State \"" + name + "\" is not reachable.",
                 scope.location + "/States/" + name);
    }
  }
}

}  // namespace

void CheckDefinitionGraph(const Json& definition, DiagnosticSink& sink) {
  std::vector<Scope> scopes;
  CollectScopes(definition, "", scopes);
  std::unordered_set<std::string> seen;
  CheckDuplicates(definition, "", seen, sink);
  for (size_t i = 0; i < scopes.size(); ++i) CheckScopeGraph(scopes[i], i == 0, sink);
}

}  // namespace flowstate::asl
