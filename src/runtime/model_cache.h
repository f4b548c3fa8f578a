// ModelCache holds the compiled StateMachineModel of every state machine revision in use, so a
// definition is parsed and compiled once per revision, never per execution. Keys are revision
// ids (immutable: an update makes a new revision). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "model/execution_info.h"

namespace flowstate::asl {
class StateMachineModel;
}  // namespace flowstate::asl

namespace flowstate::runtime {

using ModelPtr = std::shared_ptr<const asl::StateMachineModel>;

class ModelCache {
 public:
  void Put(const std::string& revision_id, ModelPtr model);
  // The cached model, or the model compiled from `definition` (then cached). The definition
  // was validated when the revision was created, so a failure here is InvalidArgument only for
  // a corrupt store.
  base::Result<ModelPtr> GetOrLoad(const std::string& revision_id, std::string_view definition,
                                   model::WorkflowType type);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, ModelPtr> models_;
};

}  // namespace flowstate::runtime
