#include "asl/variable_references.h"

#include <set>
#include <string_view>

#include "json/json.h"
#include "query/intrinsic.h"
#include "query/json_path.h"
#include "query/jsonata/expression.h"
#include "query/jsonata_static_check.h"
#include "query/jsonata_template.h"

namespace flowstate::asl {
namespace {

using json::Json;
using Names = std::set<std::string>;
using References = std::map<std::string, std::vector<std::string>>;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Fields whose values are never read as paths or expressions.
bool LiteralField(std::string_view key) {
  return key == "Type" || key == "Comment" || key == "Next" || key == "Default" ||
         key == "Resource" || key == "Result" || key == "QueryLanguage" || key == "End";
}

// Nested scopes: their states are reported under their own names.
bool ScopeField(std::string_view key) {
  return key == "Branches" || key == "ItemProcessor" || key == "Iterator";
}

void FromJsonPathText(const std::string& text, Names& names) {
  if (query::Intrinsic::LooksLikeIntrinsic(text)) {
    if (auto call = query::Intrinsic::Parse(text)) {
      for (std::string& name : call->VariableNames()) names.insert(std::move(name));
    }
    return;
  }
  if (auto path = query::JsonPath::Parse(text);
      path && path->root() == query::PathRoot::kVariable) {
    names.insert(path->variable_name());
  }
}

void FromJsonataText(const std::string& text, Names& names) {
  if (!query::IsJsonataString(text)) return;
  auto compiled =
      query::jsonata::Expression::Compile(std::string_view(text).substr(2, text.size() - 4));
  if (!compiled) return;
  for (std::string& name : query::WorkflowVariableReferences(*compiled)) {
    names.insert(std::move(name));
  }
}

// `key` is the member name the value sits under (an array's items share their array's).
void Collect(const Json& value, std::string_view key, bool jsonata, Names& names) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (jsonata) {
      FromJsonataText(text, names);
    } else if (EndsWith(key, ".$") || EndsWith(key, "Path") || key == "Variable") {
      FromJsonPathText(text, names);
    }
    return;
  }
  if (value.is_array()) {
    for (const Json& item : value) Collect(item, key, jsonata, names);
    return;
  }
  if (!value.is_object()) return;
  for (auto it = value.begin(); it != value.end(); ++it) {
    Collect(it.value(), it.key(), jsonata, names);
  }
}

bool IsJsonata(const Json& object, bool inherited) {
  auto it = object.find("QueryLanguage");
  if (it == object.end() || !it->is_string()) return inherited;
  return *it == "JSONata";
}

void VisitScope(const Json& scope, bool top_jsonata, References& out) {
  auto states = scope.find("States");
  if (states == scope.end() || !states->is_object()) return;
  for (auto it = states->begin(); it != states->end(); ++it) {
    const Json& state = it.value();
    if (!state.is_object()) continue;
    const bool jsonata = IsJsonata(state, top_jsonata);
    Names names;
    for (auto field = state.begin(); field != state.end(); ++field) {
      if (LiteralField(field.key()) || ScopeField(field.key())) continue;
      Collect(field.value(), field.key(), jsonata, names);
    }
    if (!names.empty()) out[it.key()] = std::vector<std::string>(names.begin(), names.end());
    if (auto branches = state.find("Branches"); branches != state.end() && branches->is_array()) {
      for (const Json& branch : *branches) {
        if (branch.is_object()) VisitScope(branch, top_jsonata, out);
      }
    }
    for (const char* field : {"ItemProcessor", "Iterator"}) {
      auto processor = state.find(field);
      if (processor != state.end() && processor->is_object()) {
        VisitScope(*processor, top_jsonata, out);
      }
    }
  }
}

}  // namespace

References VariableReferences(const Json& definition) {
  References out;
  if (definition.is_object()) VisitScope(definition, IsJsonata(definition, false), out);
  return out;
}

Json VariableReferencesJson(const Json& definition) {
  References references = VariableReferences(definition);
  if (references.empty()) return Json();
  Json out = Json::object();
  for (auto& [state, names] : references) out[state] = names;
  return out;
}

}  // namespace flowstate::asl
