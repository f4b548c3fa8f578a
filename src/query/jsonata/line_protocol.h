// The line protocol of the JSONata conformance suite (/work/shared/jsonata-suite/README.md):
// one JSON request per input line ({"expr", "data"?, "bindings", "timelimit"?, "depth"?}),
// one JSON response per output line ({"result"} | {"undefined": true} | {"error": {...}}).
// Used by `flowstate jsonata` and the suite's test tool.
#pragma once
#include <iosfwd>
#include <string>

namespace flowstate::query::jsonata {

struct LineProtocolOptions {
  // Adds $eval (absent from Step Functions' JSONata) for reference-suite runs.
  bool enable_eval = false;
};

// Serves requests until end of input. Returns 0.
int RunJsonataLineProtocol(std::istream& in, std::ostream& out,
                           const LineProtocolOptions& options = {});

// Answers one request line (exposed for tests).
std::string AnswerJsonataRequest(const std::string& line, const LineProtocolOptions& options = {});

}  // namespace flowstate::query::jsonata
