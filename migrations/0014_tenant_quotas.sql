-- Per-tenant quotas on configuration objects: every instance holds every tenant's configuration
-- in memory, so no tenant may grow it without bound. A create beyond the quota answers 409
-- quota_exceeded. The default of each kind is in quota_defaults (resource is the admin
-- resource's name); a row of tenant_quotas overrides it for one tenant. Operators change both
-- with SQL; the next create reads them.
CREATE TABLE quota_defaults (
    resource  text PRIMARY KEY,
    max_count integer NOT NULL CHECK (max_count >= 0)
);

INSERT INTO quota_defaults (resource, max_count) VALUES
    ('extensions', 10000),
    ('phone_numbers', 10000),
    ('ring_groups', 1000),
    ('ivr_menus', 1000),
    ('business_hours', 1000),
    ('conference_rooms', 1000),
    ('users', 10000);

CREATE TABLE tenant_quotas (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    resource   text NOT NULL REFERENCES quota_defaults (resource),
    max_count  integer NOT NULL CHECK (max_count >= 0),
    PRIMARY KEY (tenant_id, resource)
);
