#pragma once

#include "http/router.hpp"
#include "store/tenant_directory.hpp"
#include "webhooks/rejections.hpp"
#include "webhooks/writer.hpp"

namespace pbx::webhooks {

struct WebhookDeps {
  const store::TenantDirectory& directory;
  Writer& writer;
  RejectionLog& rejections;
};

// POST /api/webhooks/cloudonix/session-update and /cdr.
void add_webhook_routes(http::Router& router, WebhookDeps deps);

}  // namespace pbx::webhooks
