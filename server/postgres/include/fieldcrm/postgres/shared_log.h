// Head office's change log in PostgreSQL, which every fieldcrm-server process appends to and
// follows (docs/postgresql.md). Each process keeps a replica: a core store (SQLite) holding the
// same log at the same positions and the state merged from it, so that on PostgreSQL pushes are
// checked and merged, pulls read and reports run by the same code as on the embedded backend,
// and a tablet's cursor (a log position) means the same on every process.
//
// Positions are dense and follow commit order. Append holds one lock every appender takes
// (a transaction-scoped advisory lock), catches the replica up, writes its rows at head+1,
// head+2, ... and commits before the lock is released. So whoever reads position p has every
// position below p committed: a cursor over positions never skips a row whose transaction
// committed after a later-numbered one was read (the classic bug of cursors over a sequence,
// whose numbers are handed out before commit). ReadAfter takes only the gap-free run after its
// cursor as a second guard.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fieldcrm/postgres/pg_connection.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm::postgres {

class SharedLog {
 public:
  // Creates the log's tables when missing (and the database's server id), upgrading older ones;
  // refuses a database written by a newer fieldcrm.
  static void Migrate(PgConnection& conn);

  // conn and replica outlive this object and are used by one thread at a time.
  SharedLog(PgConnection& conn, Store& replica) : conn_(conn), replica_(replica) {}

  // The database's server id, the same for every process on it (tablets restart their cursors
  // when it changes).
  std::string ServerId();
  // The latest position committed (0: empty).
  int64_t Head();
  // Committed entries after position `after`, at most limit, in position order, ending before
  // the first gap.
  std::vector<Store::LoggedChange> ReadAfter(int64_t after, int64_t limit);
  // Applies to the replica what the database holds after the replica's head, in order and as
  // it is (the replica's hooks merge nothing: ReplicaStoreHooks), each page in one replica
  // transaction; returns the number of entries applied. Throws StorageError if an entry lands
  // at another position than the database's: the replica no longer mirrors it.
  int64_t CatchUp();
  // Runs work inside one database transaction holding the appenders' lock and one replica
  // transaction: the replica first catches up, then work writes to it (ApplyRemote, Write,
  // MergeCustomersSharingPhone...) and may write its own tables on conn; every entry it logged
  // goes to the database at the same positions, and a notification to every process's
  // LogListener. The database commits first, then the replica.
  // If work throws, neither keeps anything. If the replica's commit fails after the database's,
  // the next CatchUp brings the entries back from the database.
  void Append(const std::function<void()>& work);
  // Inside Append's work, after an erasure (Store::Erase) rewrote entries the replica logged at
  // or before position `through`: rewrites them in the database too, so that the erased values
  // are in neither log. Reads the replica's whole log up to there (erasures are rare).
  void RewriteErased(int64_t through);

 private:
  PgConnection& conn_;
  Store& replica_;
};

// A replica's hooks: the customer store's (CustomerStoreHooks) without the merge of duplicates
// after remote changes. The database's log already holds the merges the pushing process wrote,
// so a replica applies it as it is; the pushing process merges explicitly in Append's work.
const StoreHooks& ReplicaStoreHooks();

}  // namespace fieldcrm::postgres
