#include "query/jsonata/functions.h"
namespace flowstate::query::jsonata {
void RegisterFormatFunctions(FunctionTable&) {}
}  // namespace flowstate::query::jsonata
