#include "asl/state_machine_model.h"

#include <utility>

namespace flowstate::asl {

std::string_view StateTypeName(StateType type) {
  switch (type) {
    case StateType::kPass:
      return "Pass";
    case StateType::kTask:
      return "Task";
    case StateType::kChoice:
      return "Choice";
    case StateType::kWait:
      return "Wait";
    case StateType::kSucceed:
      return "Succeed";
    case StateType::kFail:
      return "Fail";
    case StateType::kParallel:
      return "Parallel";
    case StateType::kMap:
      return "Map";
  }
  return "Pass";
}

StateIndex Scope::Find(std::string_view name) const {
  auto it = by_name.find(std::string(name));
  return it == by_name.end() ? kNoState : it->second;
}

StateMachineModel::StateMachineModel(std::vector<Scope> scopes,
                                     std::optional<int64_t> timeout_seconds, json::Json definition)
    : scopes_(std::move(scopes)),
      timeout_seconds_(timeout_seconds),
      definition_(std::move(definition)) {}

}  // namespace flowstate::asl
