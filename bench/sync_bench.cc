#include "sync_bench.h"

#include <stdexcept>
#include <thread>

#include "bench_server.h"
#include "data.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/sync/transport.h"
#include "store_bench.h"
#include "tablets.h"

namespace fieldcrm::bench {

namespace {

const int64_t kBatch = sync::SyncOptions{}.batch;  // what `fieldcrm sync` sends per request

// Serves pushes and pulls without any store: acknowledges every push and pages through a fixed
// list of changes, so the real server and client code measure HTTP + JSON (+ gzip) alone.
class TransportOnlyStorage : public sync::ServerStorage {
 public:
  explicit TransportOnlyStorage(const std::vector<Change>& changes) : changes_(changes) {}
  std::string ServerId() override { return "transport-only"; }
  const Env& env() const override { return Env::Default(); }
  void AddToken(const sync::TokenInfo&, const std::string&) override {}
  std::optional<sync::TokenInfo> FindToken(const std::string&) override {
    sync::TokenInfo info;
    info.id = info.agent = "bench";
    info.team = "team-0";
    return info;
  }
  sync::WatchAnswer LookForChanges(const sync::Principal&, const sync::WatchRequest&,
                                   const sync::AbandonedCheck&) override {
    return {};
  }
  std::vector<sync::TokenInfo> ListTokens() override { return {}; }
  void RevokeToken(const std::string&, const std::string&, bool) override {}
  // No dashboard people either.
  void PutUser(const sync::DashboardUser&, const std::string&) override {}
  std::optional<std::pair<sync::DashboardUser, std::string>> FindUser(const std::string&) override {
    return std::nullopt;
  }
  std::vector<sync::DashboardUser> ListUsers() override { return {}; }
  void RemoveUser(const std::string&) override { throw NotFound("not here"); }
  sync::PushAck Push(const sync::Principal&, const sync::PushRequest& request) override {
    sync::PushAck ack;
    ack.last_seq = request.changes.back().seq;
    ack.accepted = static_cast<int64_t>(request.changes.size());
    return ack;
  }
  sync::PullPage Pull(const sync::Principal&, const sync::PullRequest& request,
                      const sync::AbandonedCheck&) override {
    int64_t size = static_cast<int64_t>(changes_.size());
    int64_t end = std::min(size, request.after + request.limit);
    sync::PullPage page;
    page.next = end;
    page.head = size;
    page.more = end < size;
    page.changes.assign(changes_.begin() + request.after, changes_.begin() + end);
    return page;
  }
  // The fixed list is all winners: a snapshot pages through it as a pull does.
  sync::SnapshotPage Snapshot(const sync::Principal& who, const sync::SnapshotRequest& request,
                              const sync::AbandonedCheck& abandoned) override {
    sync::PullPage pulled =
        Pull(who, {request.device, request.after, request.limit, std::nullopt, ""}, abandoned);
    return {pulled.head, std::move(pulled.changes), {}, pulled.next, pulled.more};
  }
  void PutSession(const std::string&, const sync::Principal&, int64_t, int64_t) override {}
  std::optional<sync::Principal> FindSession(const std::string&, int64_t) override {
    return std::nullopt;
  }
  void DropSession(const std::string&) override {}
  std::vector<sync::DeviceStatus> ListDevices() override { return {}; }
  Gauges ReadGauges() override { return {}; }
  // No plugin releases: the bench measures change transfer alone.
  sync::StoredRelease PublishRelease(const PluginRelease&, const std::string&,
                                     const std::string&) override {
    throw InvalidInput("not here");
  }
  sync::StoredRelease RollBackPlugin(const std::string&, const std::string&) override {
    throw NotFound("not here");
  }
  std::vector<sync::StoredRelease> ListReleases() override { return {}; }
  std::vector<sync::StoredRelease> CurrentReleases() override { return {}; }
  std::string ReleaseLibrary(int64_t) override { throw NotFound("not here"); }
  nlohmann::json Report(const std::string&, const std::map<std::string, std::string>&,
                        const sync::AbandonedCheck&) override {
    return nullptr;
  }

 private:
  const std::vector<Change>& changes_;
};

nlohmann::json Expect200(const sync::HttpReply& reply) {
  if (reply.status != 200) throw std::runtime_error("HTTP " + std::to_string(reply.status));
  return reply.body;
}

struct Rates {
  double push = 0;
  double pull = 0;
};

Rates TransportRates(const std::vector<Change>& changes) {
  TransportOnlyStorage storage(changes);
  sync::SyncServer server(storage, LoopbackServerOptions());
  int port = server.Bind("127.0.0.1", 0);
  std::thread serving([&] { server.Serve(); });
  auto transport = sync::MakeHttpTransport("http://127.0.0.1:" + std::to_string(port), "bench");
  transport->CompressRequests(true);  // as the client does against a real server
  Rates rates;
  double start = Now();
  for (size_t at = 0; at < changes.size(); at += kBatch) {
    sync::PushRequest push{changes.front().device, {}};
    push.changes.assign(changes.begin() + at,
                        changes.begin() + std::min(changes.size(), at + kBatch));
    sync::ParsePushAck(Expect200(transport->Post(sync::kPushPath, sync::ToJson(push))));
  }
  rates.push = static_cast<double>(changes.size()) / (Now() - start);
  start = Now();
  int64_t received = 0;
  sync::PullPage page;
  page.more = true;
  while (page.more) {
    nlohmann::json body =
        sync::ToJson(sync::PullRequest{"reader", page.next, kBatch, std::nullopt, ""});
    page = sync::ParsePullPage(Expect200(transport->Post(sync::kPullPath, body)));
    received += static_cast<int64_t>(page.changes.size());
  }
  rates.pull = static_cast<double>(received) / (Now() - start);
  server.Stop();
  serving.join();
  return rates;
}

Rates SyncRates(const Options& options, const std::vector<Change>& template_changes) {
  BenchServer server(options.dir + "/sync-server.db");
  std::string token = server.AgentToken("顾问1", "team-0");
  auto a = FreshStore(options.dir + "/tablet-a.db", {.name = "tablet-a", .team = "team-0"});
  std::vector<Change> own = template_changes;
  for (Change& c : own) c.device = a->device().id;
  ApplyInBatches(*a, own);

  Rates rates;
  double start = Now();
  sync::SyncReport pushed = SyncOnce(*a, server.url(), token);
  rates.push = static_cast<double>(own.size()) / (Now() - start);
  if (pushed.sent != static_cast<int64_t>(own.size())) {
    throw std::runtime_error("push lost changes: sent " + std::to_string(pushed.sent) + " of " +
                             std::to_string(own.size()));
  }
  auto b = FreshStore(options.dir + "/tablet-b.db", {.name = "tablet-b", .team = "team-0"});
  start = Now();
  sync::SyncReport pulled = SyncOnce(*b, server.url(), token);
  rates.pull = static_cast<double>(own.size()) / (Now() - start);
  if (pulled.received != static_cast<int64_t>(own.size())) {
    throw std::runtime_error("pull lost changes: received " + std::to_string(pulled.received) +
                             " of " + std::to_string(own.size()));
  }
  return rates;
}

std::string Percent(double part, double whole) {
  return std::to_string(static_cast<int>(100 * part / whole + 0.5)) + "%";
}

}  // namespace

void RunSyncBenchmark(const Options& options, Report& report) {
  std::vector<Change> changes =
      MakeCustomerChanges("tablet-a", options.Scaled(1'000'000, 100), 11, "team-0", "顾问1");
  double limit =
      Median(options.runs, [&] { return RawSqliteRate(options.dir + "/limit.db", changes); });
  std::vector<double> pushes, pulls, transport_pushes, transport_pulls;
  for (int i = 0; i < options.runs; ++i) {
    Rates sync = SyncRates(options, changes);
    pushes.push_back(sync.push);
    pulls.push_back(sync.pull);
    Rates transport = TransportRates(changes);
    transport_pushes.push_back(transport.push);
    transport_pulls.push_back(transport.pull);
  }
  double push = MedianOf(pushes), pull = MedianOf(pulls);
  double transport_push = MedianOf(transport_pushes), transport_pull = MedianOf(transport_pulls);
  double end_to_end = 1 / (1 / push + 1 / pull);
  std::string n = std::to_string(changes.size()) + " changes";
  report.Add({"sync", "limit", limit, "changes/s", "raw SQLite log append + state upsert, " + n});
  report.Add({"sync", "push", push, "changes/s",
              Percent(push, limit) + " of limit (target 50%): tablet A -> server"});
  report.Add({"sync", "pull", pull, "changes/s",
              Percent(pull, limit) + " of limit (target 50%): server -> fresh tablet B"});
  report.Add({"sync", "end-to-end", end_to_end, "changes/s",
              Percent(end_to_end, limit) + " of limit (target 25%): A -> server -> B"});
  report.Add({"sync", "transport push", transport_push, "changes/s",
              "HTTP + JSON + gzip alone, no store on either side"});
  report.Add({"sync", "transport pull", transport_pull, "changes/s",
              "HTTP + JSON + gzip alone, no store on either side"});
}

}  // namespace fieldcrm::bench
