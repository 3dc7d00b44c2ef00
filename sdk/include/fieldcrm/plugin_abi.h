/* The fieldcrm plugin ABI, version 2: the C boundary between the host and a plugin library. It is
 * plain C so that a plugin may be built with any compiler, standard library or language with a C
 * FFI; C++ authors use the adapter in fieldcrm/plugin.h instead of writing these structs by hand.
 *
 * Versioning (the lesson of SQLite's sqlite3ext.h and DuckDB's C extension API):
 *   - A plugin exports two symbols: the DATA symbol fieldcrm_plugin_info (a fieldcrm_info: the API
 *     version it was built for and its JSON manifest) and the function fieldcrm_plugin_entry.
 *     The host reads fieldcrm_plugin_info with dlsym alone, so a plugin's metadata is known
 *     without running any of its code; only then does it call the entry point.
 *   - The host refuses a plugin whose api_major differs from its own or whose api_minor is newer
 *     than its own; a plugin built for minor N loads in every host with minor >= N.
 *   - Every struct that carries function pointers starts with its own struct_size and only ever
 *     grows at its end. A host calls a hook only if the plugin's struct_size covers it and the
 *     pointer is not NULL, so it calls a newer plugin's old hooks and notices an older plugin's
 *     missing ones; a plugin reads host functions the same way.
 *
 * Calls: strings are (pointer, length) pairs, never NUL-terminated unless said so, and valid only
 * during the call they are passed to. Hooks return a fieldcrm_status; on anything but FIELDCRM_OK
 * they write a NUL-terminated message into the host's fieldcrm_error buffer (truncating it).
 * FIELDCRM_REJECTED means the input was bad (a config, a malformed survey): the host reports it
 * and keeps the plugin. FIELDCRM_FAILED means the plugin is broken: the host disables it and says
 * why. Nothing a plugin proposes is written unless its hook returned FIELDCRM_OK. Results (JSON
 * text) go back through fieldcrm_host_api::set_result, which copies them, so no memory allocated
 * on one side is ever freed on the other.
 *
 * Threading: the host calls one plugin instance from one thread at a time (calls on an instance
 * are serialised; configure never races a grade). Different instances may be called from
 * different threads at once. A plugin must not keep any pointer passed to a hook after it returns,
 * and may call the host's functions only from inside a hook, on the thread that called it.
 */
#ifndef FIELDCRM_PLUGIN_ABI_H
#define FIELDCRM_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#define FIELDCRM_API_MAJOR 2
/* Minor 1 added fieldcrm_plugin_api::check_config; minor 2 added fieldcrm_customer_view's
 * complaints and repairs; minor 3 added fieldcrm_host_api::read_records and find_customer, and
 * writes from the call hook; minor 4 added fieldcrm_host_api::open_complaints. */
#define FIELDCRM_API_MINOR 4
#define FIELDCRM_PLUGIN_INFO_SYMBOL "fieldcrm_plugin_info"
#define FIELDCRM_PLUGIN_ENTRY_SYMBOL "fieldcrm_plugin_entry"

#define FIELDCRM_EXPORT __attribute__((visibility("default")))

/* Whether a versioned table (struct_size bytes of it) holds a non-NULL member: how either side
 * finds the other's optional or newer functions. */
#define FIELDCRM_HAS(type, table, member)                                      \
  ((table)->struct_size >= offsetof(type, member) + sizeof((table)->member) && \
   (table)->member != NULL)

/* C++ gets default member values (the same layout) so that a declared struct starts out empty. */
#ifdef __cplusplus
#define FIELDCRM_DEFAULT(value) = value
extern "C" {
#else
#define FIELDCRM_DEFAULT(value)
#endif

typedef struct fieldcrm_str {
  const char* data;
  size_t size;
} fieldcrm_str;

typedef enum fieldcrm_status {
  FIELDCRM_OK = 0,
  FIELDCRM_REJECTED = 1, /* bad input: reported, the plugin stays usable */
  FIELDCRM_FAILED = 2    /* the plugin is broken: the host disables it */
} fieldcrm_status;

/* Host-owned buffer for a hook's error message. */
typedef struct fieldcrm_error {
  char* message;
  size_t capacity;
} fieldcrm_error;

/* Lifecycle stages, in order (prospect 潜在 → intent 意向 → buyer 成交 → owner 老业主). */
enum fieldcrm_stage {
  FIELDCRM_PROSPECT = 0,
  FIELDCRM_INTENT = 1,
  FIELDCRM_BUYER = 2,
  FIELDCRM_OWNER = 3
};

/* RFM segments: value (monetary) x activity (recency). */
enum fieldcrm_segment {
  FIELDCRM_CORE = 1,       /* high value, active */
  FIELDCRM_POTENTIAL = 2,  /* high value, inactive */
  FIELDCRM_DEVELOPING = 3, /* low value, active */
  FIELDCRM_DORMANT = 4     /* low value, inactive */
};

/* One customer summarised as numbers: what grading rules look at. Times are unix milliseconds
 * (0 = never); money is whole CNY (0 = unknown). Computed by the host from synced records only, so
 * every replica computes the same facts. Plain data: its layout is part of the major version. */
typedef struct fieldcrm_customer_facts {
  int64_t budget_cny FIELDCRM_DEFAULT(0);
  int32_t stage FIELDCRM_DEFAULT(FIELDCRM_PROSPECT);
  int32_t visits FIELDCRM_DEFAULT(0);        /* visits to the sales office or a show flat */
  int32_t contacts FIELDCRM_DEFAULT(0);      /* calls and follow-up contacts (回访) */
  int32_t visit_minutes FIELDCRM_DEFAULT(0); /* time on site, summed over visits */
  int64_t created_ms FIELDCRM_DEFAULT(0);
  int64_t last_interaction_ms FIELDCRM_DEFAULT(0); /* latest visit, call or follow-up */
  int32_t deals_signed FIELDCRM_DEFAULT(0);        /* deals signed or handed over */
  int64_t deals_amount_cny FIELDCRM_DEFAULT(0);    /* their prices, summed */
  int64_t last_signed_ms FIELDCRM_DEFAULT(0);
  int32_t referrals_made FIELDCRM_DEFAULT(0);   /* customers this one brought (老带新) */
  int32_t survey_responses FIELDCRM_DEFAULT(0); /* responses carrying an NPS answer */
  double satisfaction FIELDCRM_DEFAULT(-1);     /* mean NPS answer (0..10); -1 = none yet */
} fieldcrm_customer_facts;

/* A tiering plugin's verdict on one customer. */
typedef struct fieldcrm_tier_grade {
  char tier FIELDCRM_DEFAULT(0);       /* 'A'..'D'; 0 = not graded */
  uint8_t recency FIELDCRM_DEFAULT(0); /* RFM scores, 1 (worst) .. 5 (best) */
  uint8_t frequency FIELDCRM_DEFAULT(0);
  uint8_t monetary FIELDCRM_DEFAULT(0);
  uint8_t segment FIELDCRM_DEFAULT(0); /* a fieldcrm_segment */
  float score FIELDCRM_DEFAULT(0);     /* weighted score, 0..100 */
} fieldcrm_tier_grade;

/* A read-only view of one customer. The JSON arrays hold the records' documents (each with its
 * "id"), oldest first. */
typedef struct fieldcrm_customer_view {
  uint32_t struct_size;
  fieldcrm_str id;
  fieldcrm_str customer;         /* JSON object: the customer's fields */
  fieldcrm_str interactions;     /* {type: visit|call|followup, at, agent, channel, ...} */
  fieldcrm_str deals;            /* {unit, price, status, reserved_at, signed_at, ...} */
  fieldcrm_str referrals_made;   /* {referrer, referee, at}: this customer is the referrer */
  fieldcrm_str referred_by;      /* the same, where this customer is the referee */
  fieldcrm_str survey_responses; /* {survey, answers, nps, satisfaction, at, agent, team} */
  const fieldcrm_customer_facts* facts;
  fieldcrm_tier_grade grade; /* from the active tiering plugin; tier 0 when there is none */
  int64_t now_ms; /* the host's "as of" time: use it, never the clock, so replicas agree */
  /* Minor 2 (a host of minor < 2 passes a struct_size that ends before them): after-sales
   * cases, each step stamped as <step>_at (and <step>_by): */
  fieldcrm_str complaints; /* {category, severity, channel, handler, opened_at, answered_at,
                              resolved_at, closed_at, satisfaction, ...} */
  fieldcrm_str repairs;    /* {category, severity, unit, handler, opened_at, attended_at,
                              fixed_at, satisfaction, ...} */
} fieldcrm_customer_view;

/* Host-owned state of one hook call; only the host's functions look inside. */
typedef struct fieldcrm_call fieldcrm_call;
/* Host-owned state of one plugin instance, for the functions that work outside a call. */
typedef struct fieldcrm_host_context fieldcrm_host_context;

enum fieldcrm_log_level { FIELDCRM_LOG_INFO = 0, FIELDCRM_LOG_WARNING = 1 };

/* What the host offers a plugin; handed to create and valid until destroy returns. */
typedef struct fieldcrm_host_api {
  uint32_t struct_size;
  uint32_t api_major, api_minor;
  fieldcrm_host_context* context;
  /* Review, and call (minor 3, when the host offers read_records): proposes the record of `kind`
   * (one the manifest lists under "writes") whose id the host derives from (plugin, kind, key), so
   * every replica granting the same thing converges on one record; an existing record is never
   * overwritten. fields_json: a non-empty JSON object without reserved names ("id", "_...").
   * FIELDCRM_FAILED when the write breaks these rules: the call then fails whatever the hook
   * returns. */
  fieldcrm_status (*write)(fieldcrm_call* call, fieldcrm_str kind, fieldcrm_str key,
                           fieldcrm_str fields_json);
  /* Alerts: reports that `rule` ("churn-risk") fell due at due_ms for the customer in view. */
  void (*alert)(fieldcrm_call* call, fieldcrm_str rule, int64_t due_ms, fieldcrm_str message);
  /* Explain, call: the JSON result; the host copies it. */
  void (*set_result)(fieldcrm_call* call, fieldcrm_str json);
  /* A line for the host's log, attributed to the plugin. */
  void (*log)(fieldcrm_host_context* context, int32_t level, fieldcrm_str message);
  /* Minor 3, call only (the host calls a plugin with the store at hand: a reception tablet's
   * walk-in, say). The records of `kind` (one the manifest lists under "writes") whose string
   * field `field` equals `value` (an empty field: every record of the kind), as a JSON array of
   * their documents, each with its "id", in id order. *records_json points into host memory valid
   * until the hook returns. FIELDCRM_FAILED for another kind or outside such a call: the call
   * then fails whatever the hook returns. */
  fieldcrm_status (*read_records)(fieldcrm_call* call, fieldcrm_str kind, fieldcrm_str field,
                                  fieldcrm_str value, fieldcrm_str* records_json);
  /* Minor 3, call only, as read_records: the live customer with this phone number (normalised as
   * the host normalises phones) as a JSON object of its fields with its "id" ("agent" is who
   * registered them), or "null" when nobody has it. FIELDCRM_REJECTED for a phone that is not
   * one (*customer_json then holds the reason); FIELDCRM_FAILED outside such a call. */
  fieldcrm_status (*find_customer)(fieldcrm_call* call, fieldcrm_str phone,
                                   fieldcrm_str* customer_json);
  /* Minor 4, inside grade and explain only: how many complaints of the customer at facts[index]
   * of the running call (explain: index 0) were open at its as_of_ms (opened by then, neither
   * resolved nor closed by then), counted by the host from synced records like the facts; 0 for
   * an index outside the call, outside those hooks, or a customer without open complaints. What
   * service rules read ("an open complaint raises service priority"): the facts stay frozen. */
  int32_t (*open_complaints)(fieldcrm_host_context* context, size_t index);
} fieldcrm_host_api;

/* A plugin instance; only the plugin looks inside. */
typedef struct fieldcrm_plugin fieldcrm_plugin;

/* What a plugin offers the host. A NULL hook means the plugin does not have it. */
typedef struct fieldcrm_plugin_api {
  uint32_t struct_size;
  /* Minor 0. */
  fieldcrm_plugin* (*create)(const fieldcrm_host_api* host, fieldcrm_error* error);
  void (*destroy)(fieldcrm_plugin* plugin);
  /* The effective config: the manifest's default_config overlaid with head office's settings,
   * already validated against config_schema. Called before any other hook and on every change. */
  fieldcrm_status (*configure)(fieldcrm_plugin* plugin, fieldcrm_str config_json,
                               fieldcrm_error* error);
  /* Tiering plugins: grade count customers at once (the host passes large batches). */
  fieldcrm_status (*grade)(fieldcrm_plugin* plugin, const fieldcrm_customer_facts* facts,
                           fieldcrm_tier_grade* grades, size_t count, int64_t as_of_ms,
                           fieldcrm_error* error);
  /* Tiering plugins: why this customer gets its grade, as JSON through set_result, shaped as
   * docs/plugins.md "Explanations" says: {"factors": [{"name", "value", "weight", "points",
   * "reason"}...], ...}. */
  fieldcrm_status (*explain)(fieldcrm_plugin* plugin, const fieldcrm_customer_facts* facts,
                             int64_t as_of_ms, fieldcrm_call* call, fieldcrm_error* error);
  /* Called for every customer when the host reviews the store (after local writes and after
   * sync): propose records that follow from the facts (host write), e.g. a referral reward. */
  fieldcrm_status (*review)(fieldcrm_plugin* plugin, const fieldcrm_customer_view* customer,
                            fieldcrm_call* call, fieldcrm_error* error);
  /* Called for every customer when someone asks what is due (host alert). */
  fieldcrm_status (*alerts)(fieldcrm_plugin* plugin, const fieldcrm_customer_view* customer,
                            fieldcrm_call* call, fieldcrm_error* error);
  /* Named functions taking and returning JSON (set_result). Unknown names: FIELDCRM_REJECTED.
   * Minor 3: when the host offers read_records for this call, the plugin may read and write
   * (write) too; the host applies the writes after the call returned FIELDCRM_OK, in one
   * transaction. */
  fieldcrm_status (*call)(fieldcrm_plugin* plugin, fieldcrm_str function, fieldcrm_str input_json,
                          fieldcrm_call* call, fieldcrm_error* error);
  /* Minor 1: would this config be accepted? Must not change the instance. Without it the host
   * configures and, on rejection, configures the previous config again. */
  fieldcrm_status (*check_config)(fieldcrm_plugin* plugin, fieldcrm_str config_json,
                                  fieldcrm_error* error);
} fieldcrm_plugin_api;

/* The data symbol fieldcrm_plugin_info: read by the host before any plugin code runs. */
typedef struct fieldcrm_info {
  uint32_t struct_size;
  uint32_t api_major, api_minor; /* the FIELDCRM_API_* the plugin was built with */
  const char* manifest; /* NUL-terminated JSON: name, version, kind, description, config_schema,
                           default_config, writes (see docs/plugins.md) */
} fieldcrm_info;

/* The function fieldcrm_plugin_entry: the plugin's hooks, valid while the library is loaded. */
typedef const fieldcrm_plugin_api* (*fieldcrm_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* FIELDCRM_PLUGIN_ABI_H */
