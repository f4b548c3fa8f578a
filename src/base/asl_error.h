// AslError is an Amazon States Language runtime error: a name such as "States.Runtime" or
// "Lambda.ServiceException" and its cause text. It is data that flows through Retry and Catch
// into history events, never an exception and never a Status (STYLE.md §4).
#pragma once

#include <string>

namespace flowstate::base {

struct AslError {
  std::string error;
  std::string cause;
};

}  // namespace flowstate::base
