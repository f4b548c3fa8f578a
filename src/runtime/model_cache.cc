#include "runtime/model_cache.h"

#include <utility>

#include "asl/definition.h"

namespace flowstate::runtime {

void ModelCache::Put(const std::string& revision_id, ModelPtr model) {
  std::lock_guard lock(mu_);
  models_.insert_or_assign(revision_id, std::move(model));
}

base::Result<ModelPtr> ModelCache::GetOrLoad(const std::string& revision_id,
                                             std::string_view definition,
                                             model::WorkflowType type) {
  {
    std::lock_guard lock(mu_);
    if (auto it = models_.find(revision_id); it != models_.end()) {
      return it->second;
    }
  }
  // Compile outside the lock; two racing loads of one revision build equal models.
  asl::ValidationOptions options;
  options.express = type == model::WorkflowType::kExpress;
  auto loaded = asl::LoadDefinition(definition, options);
  if (!loaded) {
    return base::Err(loaded.error());
  }
  Put(revision_id, *loaded);
  return *loaded;
}

}  // namespace flowstate::runtime
