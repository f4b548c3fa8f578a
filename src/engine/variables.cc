// Workflow variables (AWS-REFERENCE.md §6.5): each frame holds the variables its scope
// declared; a Parallel branch or Map iteration also reads its ancestors' (never a Distributed
// Map's iterations), and what it assigns dies with it. New values are stored only when the
// state is left, so every Assign and Output of a state sees the entry values.
#include <utility>

#include "engine/executor.h"
#include "json/compact_text.h"
#include "json/json.h"

namespace flowstate::engine {
namespace {

constexpr size_t kMaxVariableBytes = 262144;             // one variable
constexpr size_t kMaxAssignBytes = 262144;               // one Assign
constexpr size_t kMaxExecutionBytes = 10 * 1024 * 1024;  // all variables of an execution

bool HasVariables(const model::Frame& frame) {
  return frame.variables.is_object() && !frame.variables.empty();
}

}  // namespace

const json::Json* Executor::VisibleVariables(int32_t frame_id) {
  // The chain of frames whose variables are visible, innermost first.
  const json::Json* single = nullptr;
  int with_variables = 0;
  for (int32_t id = frame_id; id >= 0;) {
    const model::Frame& current = frame(id);
    if (HasVariables(current)) {
      ++with_variables;
      single = &current.variables;
    }
    int32_t parent = current.parent;
    if (parent >= 0 && model_.scope(current.scope).in_distributed_map &&
        !model_.scope(frame(parent).scope).in_distributed_map) {
      break;  // a Distributed Map's iteration cannot read outer variables
    }
    id = parent;
  }
  if (with_variables <= 1) return single;
  // Several scopes: merge outermost first so inner names win.
  std::vector<const json::Json*> chain;
  for (int32_t id = frame_id; id >= 0;) {
    const model::Frame& current = frame(id);
    if (HasVariables(current)) chain.push_back(&current.variables);
    int32_t parent = current.parent;
    if (parent >= 0 && model_.scope(current.scope).in_distributed_map &&
        !model_.scope(frame(parent).scope).in_distributed_map) {
      break;
    }
    id = parent;
  }
  visible_variables_ = json::Json::object();
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (auto member = (*it)->begin(); member != (*it)->end(); ++member) {
      visible_variables_[member.key()] = member.value();
    }
  }
  return &visible_variables_;
}

std::optional<base::AslError> Executor::StoreVariables(int32_t frame_id, const asl::State& state,
                                                       const json::Json& assigned) {
  size_t assign_bytes = 0;
  for (auto it = assigned.begin(); it != assigned.end(); ++it) {
    size_t bytes = CompactText(it.value()).size();
    if (bytes > kMaxVariableBytes) {
      return RuntimeError(
          frame_id, state,
          {"States.DataLimitExceeded", "The variable '" + it.key() + "' assigned by the state is " +
                                           std::to_string(bytes) + " bytes, over the limit of " +
                                           std::to_string(kMaxVariableBytes) + " bytes."});
    }
    assign_bytes += bytes;
  }
  if (assign_bytes > kMaxAssignBytes) {
    return RuntimeError(frame_id, state,
                        {"States.DataLimitExceeded",
                         "The variables assigned by the state total " +
                             std::to_string(assign_bytes) + " bytes, over the limit of " +
                             std::to_string(kMaxAssignBytes) + " bytes per Assign."});
  }
  model::Frame& target = frame(frame_id);
  int64_t delta = 0;
  for (auto it = assigned.begin(); it != assigned.end(); ++it) {
    delta += static_cast<int64_t>(it.key().size() + CompactText(it.value()).size());
    if (target.variables.is_object()) {
      auto old = target.variables.find(it.key());
      if (old != target.variables.end()) {
        delta -= static_cast<int64_t>(it.key().size() + CompactText(*old).size());
      }
    }
  }
  if (snapshot_.variable_bytes + delta > static_cast<int64_t>(kMaxExecutionBytes)) {
    return RuntimeError(
        frame_id, state,
        {"States.DataLimitExceeded", "The execution's variables would total " +
                                         std::to_string(snapshot_.variable_bytes + delta) +
                                         " bytes, over the limit of " +
                                         std::to_string(kMaxExecutionBytes) + " bytes."});
  }
  snapshot_.variable_bytes += delta;
  if (!target.variables.is_object()) target.variables = json::Json::object();
  for (auto it = assigned.begin(); it != assigned.end(); ++it) {
    target.variables[it.key()] = it.value();
  }
  return std::nullopt;
}

void Executor::ReleaseVariables(int32_t frame_id) {
  model::Frame& released = frame(frame_id);
  if (!HasVariables(released)) return;
  for (auto it = released.variables.begin(); it != released.variables.end(); ++it) {
    snapshot_.variable_bytes -= static_cast<int64_t>(it.key().size() + CompactText(*it).size());
  }
  released.variables = nullptr;
}

}  // namespace flowstate::engine
