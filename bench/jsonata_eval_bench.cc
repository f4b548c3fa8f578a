// Times Flowstate's JSONata evaluator on bench/jsonata/cases.json, as bench/jsonata/reference.mjs
// times jsonata-js: one JSON line per case, {"name", "ops"} (evaluations per second; the
// expression compiled once, the data and bindings converted once).
// Usage: jsonata_eval_bench <cases.json> [seconds per case]
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "json/json.h"
#include "query/jsonata/expression.h"

namespace jsonata = flowstate::query::jsonata;
using flowstate::json::Json;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: jsonata_eval_bench cases.json [seconds]\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  auto cases = flowstate::json::Parse(text.str());
  if (!cases || !cases->is_array()) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 2;
  }
  const double seconds = argc > 2 ? std::stod(argv[2]) : 1.0;
  for (const Json& c : *cases) {
    auto expr = jsonata::Expression::Compile(c.at("expr").get<std::string>());
    if (!expr) {
      std::cerr << c.at("name") << ": " << expr.error().message << "\n";
      return 1;
    }
    jsonata::Value input = c.contains("data") ? jsonata::FromJson(c.at("data")) : jsonata::Value();
    jsonata::EvalOptions options;
    if (c.contains("bindings")) {
      for (const auto& [name, value] : c.at("bindings").items()) {
        options.bindings.emplace_back(name, jsonata::FromJson(value));
      }
    }
    for (int i = 0; i < 200; ++i) (void)expr->Evaluate(input, options);
    const auto start = std::chrono::steady_clock::now();
    int64_t n = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
      auto result = expr->Evaluate(input, options);
      if (!result) {
        std::cerr << c.at("name") << ": " << result.error().message << "\n";
        return 1;
      }
      if ((++n & 15) == 0) {
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
    }
    std::cout << flowstate::json::Dump(
                     Json{{"name", c.at("name")}, {"ops", static_cast<double>(n) / elapsed}})
              << "\n";
  }
  return 0;
}
