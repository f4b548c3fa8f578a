// Line-protocol front end for the JSONata conformance suite:
//   python3 /work/shared/jsonata-suite/run.py -- ./jsonata_line_tool [--with-eval]
// --with-eval adds $eval (jsonata-js has it; Step Functions does not).
#include <cstring>
#include <iostream>

#include "query/jsonata/line_protocol.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  flowstate::query::jsonata::LineProtocolOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--with-eval") == 0) options.enable_eval = true;
  }
  return flowstate::query::jsonata::RunJsonataLineProtocol(std::cin, std::cout, options);
}
