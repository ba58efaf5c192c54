// SQL of the Open311 module: client programs, tokens, and the public search
// over cases. Functions run inside the caller's transaction and decide
// nothing; the cases themselves are read through cases::store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "db/query.hpp"
#include "modules/open311/model.hpp"

namespace cg::open311::store {

// ---- clients ----
std::int64_t insert_client(db::Conn& conn, const Client& c, const std::string& key_hash);
std::optional<Client> find_client(db::Conn& conn, std::int64_t id);
std::optional<Client> client_by_key_hash(db::Conn& conn, const std::string& key_hash);
// Clients whose area lies in one of the subtrees [from, to), newest first.
std::vector<Client> clients_within(db::Conn& conn, const std::vector<db::PathRange>& ranges);
void revoke_client(db::Conn& conn, std::int64_t id, std::optional<std::int64_t> by,
                   std::int64_t now);

// ---- tokens ----
void insert_token(db::Conn& conn, const std::string& token, std::int64_t case_id,
                  std::int64_t client_id, std::int64_t now);
std::optional<std::int64_t> case_of_token(db::Conn& conn, const std::string& token);

// ---- public search ----
struct CaseFilter {
  std::optional<std::int64_t> category_id;
  std::int64_t from = 0;  // created_at in [from, to)
  std::int64_t to = 0;
  std::optional<bool> closed;
  int limit = 1000;
};
// Case ids, newest first.
std::vector<std::int64_t> case_ids(db::Conn& conn, const CaseFilter& filter);

}  // namespace cg::open311::store
