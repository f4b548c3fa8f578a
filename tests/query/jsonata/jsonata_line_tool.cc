// Line-protocol front end for the JSONata conformance suite:
//   python3 /work/shared/jsonata-suite/run.py -- ./jsonata_line_tool
#include <iostream>

#include "query/jsonata/line_protocol.h"

int main() {
  std::ios::sync_with_stdio(false);
  return flowstate::query::jsonata::RunJsonataLineProtocol(std::cin, std::cout);
}
