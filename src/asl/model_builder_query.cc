// The parts of ModelBuilder that compile query-language pieces (paths, templates, Choice
// rules) through the query module.
#include <utility>

#include "asl/model_builder.h"
#include "query/choice_rule.h"
#include "query/json_path.h"
#include "query/jsonata_template.h"
#include "query/payload_template.h"
#include "query/result_path.h"

namespace flowstate::asl {
namespace {

using base::Status;

bool ContainsContext(const json::Json& value) {
  if (value.is_string()) {
    return value.get_ref<const std::string&>().find("$$") != std::string::npos;
  }
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (ContainsContext(it.value())) {
        return true;
      }
    }
  } else if (value.is_array()) {
    for (const auto& item : value) {
      if (ContainsContext(item)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Status CompilePathField(const json::Json& object, std::string_view key, PathField& field) {
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return Status::Ok();
  }
  field.present = true;
  if (it->is_null()) {
    field.is_null = true;
    return Status::Ok();
  }
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string(key) + " must be a string or null");
  }
  field.text = it->get<std::string>();
  auto path = query::JsonPath::Parse(field.text);
  if (!path) {
    return Status::InvalidArgument(std::string(key) + ": " + path.error().message());
  }
  field.uses_context = path->root() == query::PathRoot::kContext;
  field.path = std::make_shared<const query::JsonPath>(std::move(*path));
  return Status::Ok();
}

Status CompileTemplateField(const json::Json& object, std::string_view key, TemplateField& field) {
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return Status::Ok();
  }
  field.present = true;
  field.raw = *it;
  field.uses_context = ContainsContext(*it);
  auto compiled = query::PayloadTemplate::Compile(*it);
  if (!compiled) {
    return Status::InvalidArgument(std::string(key) + ": " + compiled.error().message());
  }
  field.compiled = std::make_shared<const query::PayloadTemplate>(std::move(*compiled));
  return Status::Ok();
}

Status CompileExpressionField(const json::Json& object, std::string_view key,
                              ExpressionField& field) {
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return Status::Ok();
  }
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string(key) + " must be a string");
  }
  field.present = true;
  field.text = it->get<std::string>();
  field.uses_context = field.text.find("$$") != std::string::npos;
  auto compiled = query::DynamicValue::Compile(field.text);
  if (!compiled) {
    return Status::InvalidArgument(std::string(key) + ": " + compiled.error().message());
  }
  field.compiled = std::make_shared<const query::DynamicValue>(std::move(*compiled));
  return Status::Ok();
}

Status CompileResultPathField(const json::Json& object, ResultPathField& field) {
  auto it = object.find("ResultPath");
  if (it == object.end()) {
    return Status::Ok();
  }
  field.present = true;
  field.is_null = it->is_null();
  if (it->is_string()) {
    field.text = it->get<std::string>();
  }
  auto compiled = query::ResultPath::Compile(*it);
  if (!compiled) {
    return Status::InvalidArgument("ResultPath: " + compiled.error().message());
  }
  field.compiled = std::make_shared<const query::ResultPath>(std::move(*compiled));
  return Status::Ok();
}

Status CompileJsonataField(const json::Json& object, std::string_view key, JsonataField& field) {
  auto it = object.find(std::string(key));
  if (it == object.end()) {
    return Status::Ok();
  }
  auto compiled = query::JsonataTemplate::Compile(*it);
  if (!compiled) {
    return Status::InvalidArgument(std::string(key) + ": " + compiled.error().message());
  }
  field.present = true;
  field.compiled = std::make_shared<const query::JsonataTemplate>(std::move(*compiled));
  return Status::Ok();
}

Status CompileAssignField(const json::Json& object, bool jsonata, AssignField& field) {
  auto it = object.find("Assign");
  if (it == object.end()) {
    return Status::Ok();
  }
  if (!it->is_object()) {
    return Status::InvalidArgument("Assign must be an object");
  }
  field.present = true;
  if (jsonata) {
    auto compiled = query::JsonataTemplate::Compile(*it);
    if (!compiled) {
      return Status::InvalidArgument("Assign: " + compiled.error().message());
    }
    field.jsonata = std::make_shared<const query::JsonataTemplate>(std::move(*compiled));
    return Status::Ok();
  }
  field.uses_context = ContainsContext(*it);
  auto compiled = query::PayloadTemplate::Compile(*it);
  if (!compiled) {
    return Status::InvalidArgument("Assign: " + compiled.error().message());
  }
  field.jsonpath = std::make_shared<const query::PayloadTemplate>(std::move(*compiled));
  return Status::Ok();
}

Status ModelBuilder::BuildChoice(const json::Json& state_json, const Scope& scope, State& state) {
  const std::string where = "/States/" + state.name;
  auto choices = state_json.find("Choices");
  if (choices == state_json.end() || !choices->is_array() || choices->empty()) {
    return Status::InvalidArgument(where + ": Choices must be a non-empty array");
  }
  for (const auto& rule_json : *choices) {
    if (!rule_json.is_object()) {
      return Status::InvalidArgument(where + ": a Choice rule must be an object");
    }
    ChoiceBranch branch;
    branch.field_prefix = "Choices[" + std::to_string(state.choices.size()) + "]/";
    auto next = rule_json.find("Next");
    if (next == rule_json.end() || !next->is_string()) {
      return Status::InvalidArgument(where + ": a Choice rule needs Next");
    }
    branch.next = scope.Find(next->get_ref<const std::string&>());
    if (branch.next == kNoState) {
      return Status::InvalidArgument(where +
                                     ": Missing 'Next' target: " + next->get<std::string>());
    }
    if (Status status = CompileAssignField(rule_json, state.jsonata, branch.assign); !status.ok()) {
      return Status::InvalidArgument(where + ": " + status.message());
    }
    if (state.jsonata) {
      for (auto [key, field] :
           {std::pair<std::string_view, JsonataField*>{"Condition", &branch.condition},
            {"Output", &branch.output}}) {
        if (Status status = CompileJsonataField(rule_json, key, *field); !status.ok()) {
          return Status::InvalidArgument(where + ": " + status.message());
        }
      }
      if (!branch.condition.present) {
        return Status::InvalidArgument(where + ": a JSONata Choice rule needs Condition");
      }
      state.choices.push_back(std::move(branch));
      continue;
    }
    auto rule = query::ChoiceRule::Compile(rule_json);
    if (!rule) {
      return Status::InvalidArgument(where + ": " + rule.error().message());
    }
    branch.rule = std::make_shared<const query::ChoiceRule>(std::move(*rule));
    branch.uses_context = ContainsContext(rule_json) || branch.assign.uses_context;
    state.uses_context |= branch.uses_context;
    state.choices.push_back(std::move(branch));
  }
  auto default_it = state_json.find("Default");
  if (default_it != state_json.end()) {
    if (!default_it->is_string() ||
        (state.default_next = scope.Find(default_it->get_ref<const std::string&>())) == kNoState) {
      return Status::InvalidArgument(where + ": Missing 'Default' target");
    }
  }
  return Status::Ok();
}

}  // namespace flowstate::asl
