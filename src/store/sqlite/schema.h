// The SQLite schema and its migrations: `schema_version` records the last migration applied;
// Migrate applies the missing ones in order, each in its own transaction, and refuses a
// database written by a newer build.
#pragma once

#include "base/status.h"
#include "store/sqlite/connection.h"

namespace flowstate::store::sqlite {

// The version this build writes (the number of migrations it knows).
int CurrentSchemaVersion();

base::Status Migrate(Connection& connection);

}  // namespace flowstate::store::sqlite
