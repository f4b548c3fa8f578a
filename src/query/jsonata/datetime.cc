#include "query/jsonata/functions.h"
namespace flowstate::query::jsonata {
void RegisterDateTimeFunctions(FunctionTable&) {}
}  // namespace flowstate::query::jsonata
