#pragma once

// Issuance from CSRs through one thread that issues whatever has queued up as one batch
// (Issuer::Pipeline): the intents of a batch are recorded together with the certificates
// of the batch before it (one transaction on SQLite), and no thread waits per request.
// `serve` puts the API's CSR issuance here on SQLite (docs/issuance-cycle.md, "Batches").
//
// Pipelined: a batch's certificates are stored with its sync deferred; a second thread
// makes them durable (Issuer::Flush, one sync for every batch stored meanwhile) and only
// then answers their requests, while the first thread signs the next batch. When nothing
// is in flight a batch takes at most half of the requests waiting (at least one), so that
// the next batch's signatures fill the time of this one's sync instead of every request
// waiting for the same sync with the processor idle.
//
// A request is answered through its callback, on the syncing thread, once its batch is
// durable (or failed); callbacks must not block. Several serve processes may each run a
// queue on one database: the batch is only a way of sharing work, every rule stays in the
// store.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ca/issuer.h"

namespace claimsca::ca {

class IssueQueue {
 public:
  using Done = std::function<void(Result<IssuedCertificate>)>;

  // `issuer` must outlive the queue. A batch takes at most `max_batch` requests.
  explicit IssueQueue(Issuer& issuer, size_t max_batch = 64);
  ~IssueQueue();  // Stop()
  IssueQueue(const IssueQueue&) = delete;
  IssueQueue& operator=(const IssueQueue&) = delete;

  // Queues one issuance; `done` is called exactly once, with the result (Unavailable once
  // the queue is stopped).
  void Submit(IssueRequest request, std::string csr, Done done);

  // Issues what is queued, then ends the thread. Idempotent.
  void Stop();

  // Batches issued so far, and requests in them (for tests and metrics).
  size_t batches() const;
  size_t issued_requests() const;

 private:
  struct Item {
    IssueRequest request;
    std::string csr;
    Done done;
  };
  // A stored batch waiting for its sync: the callbacks and their results.
  struct Stored {
    std::vector<Done> done;
    std::vector<Result<IssuedCertificate>> results;
  };
  void IssueLoop();
  void SyncLoop();

  Issuer& issuer_;
  const size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // guarded by mu_
  bool waiting_ = false;    // the thread sleeps on cv_; guarded by mu_
  bool stop_ = false;       // guarded by mu_
  size_t batches_ = 0;      // guarded by mu_
  size_t requests_ = 0;     // guarded by mu_

  std::condition_variable sync_cv_;
  std::deque<Stored> stored_;  // guarded by mu_
  bool syncing_ = false;       // a batch is stored and not yet answered; guarded by mu_
  bool issuing_done_ = false;  // the issuing thread has ended; guarded by mu_

  std::thread sync_thread_;
  std::thread issue_thread_;
};

}  // namespace claimsca::ca
