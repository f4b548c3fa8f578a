// Throughput of compiled JSONata expressions: jsonata_bench <data.json> <exprs.json>
// prints one JSON line per expression with evaluations per second (input converted once).
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "json/json.h"
#include "query/jsonata/expression.h"

namespace jsonata = flowstate::query::jsonata;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: jsonata_bench data.json exprs.json\n";
    return 2;
  }
  auto read = [](const char* path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto data = flowstate::json::Parse(read(argv[1]));
  auto exprs = flowstate::json::Parse(read(argv[2]));
  if (!data || !exprs) return 2;
  jsonata::Value input = jsonata::FromJson(*data);
  for (const auto& e : *exprs) {
    auto expr = jsonata::Expression::Compile(e.get<std::string>());
    if (!expr) {
      std::cerr << expr.error().message << "\n";
      return 1;
    }
    for (int i = 0; i < 200; ++i) (void)expr->Evaluate(input);
    auto start = std::chrono::steady_clock::now();
    int64_t n = 0;
    double elapsed = 0;
    while (elapsed < 1.5) {
      auto r = expr->Evaluate(input);
      if (!r) return 1;
      if ((++n & 15) == 0) {
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
    }
    std::cout << flowstate::json::Dump({{"expr", e}, {"ops", static_cast<double>(n) / elapsed}})
              << "\n";
  }
  return 0;
}
