{#- az CLI deployment script. Every {{ value }} is one single-quoted bash
    word (the az escaping formatter); `|safe` only on comment-safe text. -#}
{#- Commands with the older tag parser (`az group create`, `public-ip
    create`, `routeserver create`) take `key=value` words, which carry any
    text; the AAZ `az network` commands take the tags as one JSON word. -#}
{% macro tag_words(s) %}{% if s.tags %} --tags{% for t in s.tags %} {{ t.word }}{% endfor %}{% endif %}{% endmacro %}
{% macro sub(p) %}--subscription {{ p.subscription_id }} -o none{% endmacro %}
{% macro step_cmds(s) %}
{% set p = s.place %}
# {{ s.comment|safe }}
{% if s.kind == "resource-group" %}
if ! exists az group show --name {{ s.name }} {{ sub(p) }}; then
  run az group create --name {{ s.name }} --location {{ p.location }}{{ tag_words(s) }} {{ sub(p) }}
fi
{% elif s.kind == "vnet" %}
if exists az network vnet show -g {{ p.resource_group }} -n {{ s.name }} {{ sub(p) }}; then
  run az network vnet update -g {{ p.resource_group }} -n {{ s.name }} --address-prefixes{% for a in s.address_space %} {{ a }}{% endfor %}{% if s.dns_servers %} --dns-servers{% for d in s.dns_servers %} {{ d }}{% endfor %}{% endif %} --set {{ s.tags_set }} {{ sub(p) }}
else
  run az network vnet create -g {{ p.resource_group }} -n {{ s.name }} -l {{ p.location }} --address-prefixes{% for a in s.address_space %} {{ a }}{% endfor %}{% if s.dns_servers %} --dns-servers{% for d in s.dns_servers %} {{ d }}{% endfor %}{% endif %} --tags {{ s.tags_json }} {{ sub(p) }}
fi
{% elif s.kind == "subnet" %}
if exists az network vnet subnet show -g {{ p.resource_group }} --vnet-name {{ s.vnet }} -n {{ s.name }} {{ sub(p) }}; then
  run az network vnet subnet update -g {{ p.resource_group }} --vnet-name {{ s.vnet }} -n {{ s.name }} --address-prefixes{% for a in s.prefixes %} {{ a }}{% endfor %}{% if s.route_table_id %} --route-table {{ s.route_table_id }}{% endif %} {{ sub(p) }}
else
  run az network vnet subnet create -g {{ p.resource_group }} --vnet-name {{ s.vnet }} -n {{ s.name }} --address-prefixes{% for a in s.prefixes %} {{ a }}{% endfor %}{% if s.route_table_id %} --route-table {{ s.route_table_id }}{% endif %} {{ sub(p) }}
fi
{% elif s.kind == "public-ip" %}
if ! exists az network public-ip show -g {{ p.resource_group }} -n {{ s.name }} {{ sub(p) }}; then
  run az network public-ip create -g {{ p.resource_group }} -n {{ s.name }} -l {{ p.location }} --sku Standard --allocation-method Static{% if s.zones %} --zone{% for z in s.zones %} {{ z }}{% endfor %}{% endif %}{{ tag_words(s) }} {{ sub(p) }}
fi
{% elif s.kind == "gateway" %}
# Started without waiting (30-45 minutes); its dependents wait for it.
if ! exists az network vnet-gateway show -g {{ p.resource_group }} -n {{ s.name }} {{ sub(p) }}; then
  run az network vnet-gateway create -g {{ p.resource_group }} -n {{ s.name }} -l {{ p.location }} --vnet {{ s.vnet }} --public-ip-addresses {{ s.public_ip }} --gateway-type {{ s.gateway_type }}{% if s.vpn_type %} --vpn-type {{ s.vpn_type }}{% endif %} --sku {{ s.sku }} --tags {{ s.tags_json }} --no-wait {{ sub(p) }}
fi
{% elif s.kind == "route-server" %}
if ! exists az network routeserver show -g {{ p.resource_group }} -n {{ s.name }} {{ sub(p) }}; then
  run az network routeserver create -g {{ p.resource_group }} -n {{ s.name }} -l {{ p.location }} --hosted-subnet {{ s.hosted_subnet_id }} --public-ip-address {{ s.public_ip }}{{ tag_words(s) }} {{ sub(p) }}
fi
{% elif s.kind == "route-table" %}
if ! exists az network route-table show -g {{ p.resource_group }} -n {{ s.name }} {{ sub(p) }}; then
  run az network route-table create -g {{ p.resource_group }} -n {{ s.name }} -l {{ p.location }} --tags {{ s.tags_json }} {{ sub(p) }}
fi
{% for r in s.routes %}
run az network route-table route create -g {{ p.resource_group }} --route-table-name {{ s.name }} -n {{ r.name }} --address-prefix {{ r.address_prefix }} --next-hop-type {{ r.next_hop_type }} --next-hop-ip-address {{ r.next_hop_ip_address }} {{ sub(p) }}
{% endfor %}
{% elif s.kind == "link" %}
{% if s.cross_tenant %}
# Cross-tenant: needs a login to this tenant and to the remote VNet's tenant{% if s.remote_tenant %} ({{ s.remote_tenant|safe }}){% endif %}.
{% endif %}
{% if s.remote_classic %}
# The remote is classic: `az network vnet peering create` rejects its id, so
# the link is written with a generic PUT (create or update).
run az resource create -g {{ p.resource_group }} --resource-type Microsoft.Network/virtualNetworks/virtualNetworkPeerings -n {{ s.child_name }} --api-version {{ api_version }} --properties {{ s.properties_json }} {{ sub(p) }}
{% else %}
if exists az network vnet peering show -g {{ p.resource_group }} --vnet-name {{ s.vnet }} -n {{ s.name }} {{ sub(p) }}; then
  run az network vnet peering update -g {{ p.resource_group }} --vnet-name {{ s.vnet }} -n {{ s.name }} --allow-vnet-access {{ s.allow_virtual_network_access }} --allow-forwarded-traffic {{ s.allow_forwarded_traffic }} --allow-gateway-transit {{ s.allow_gateway_transit }} --use-remote-gateways {{ s.use_remote_gateways }} {{ sub(p) }}
else
  run az network vnet peering create -g {{ p.resource_group }} --vnet-name {{ s.vnet }} -n {{ s.name }} --remote-vnet {{ s.remote_id }} --allow-vnet-access {{ s.allow_virtual_network_access }} --allow-forwarded-traffic {{ s.allow_forwarded_traffic }} --allow-gateway-transit {{ s.allow_gateway_transit }} --use-remote-gateways {{ s.use_remote_gateways }} {{ sub(p) }}
fi
{% endif %}
{% endif %}
{% endmacro %}
{% macro gateway_wait(g) %}
run az network vnet-gateway wait -g {{ g.resource_group }} -n {{ g.name }} --created --subscription {{ g.subscription_id }}
{% endmacro %}
#!/usr/bin/env bash
{% for line in header %}
#{% if line %} {{ line|safe }}{% endif %}

{% endfor %}
{% for t in tenants %}
#   az login --tenant {{ t|safe }}
{% endfor %}
#
# Log in first (`az login`{% if cloud_name != "AzureCloud" %}, after `az cloud set --name {{ cloud_name|safe }}`{% endif %}).
# Idempotent: every resource is looked up before it is created; existing
# VNets are updated in place (their subnets are kept), existing peerings get
# their flags set. Steps run wave by wave (plan order); in a wave, links on
# different VNets run as parallel jobs, links on one VNet one at a time.
# DRY_RUN=1 prints every az command, shell-quoted, instead of running it
# (look-ups then count as "missing", so every creation is shown).
set -euo pipefail

run() {
  if [[ "${DRY_RUN:-0}" == 1 ]]; then
    local line
    printf -v line ' %q' "$@"
    printf '+%s\n' "$line"
    return 0
  fi
  "$@"
}

# exists CMD...: true when the `show` command CMD finds the resource.
exists() {
  if [[ "${DRY_RUN:-0}" == 1 ]]; then
    run "$@"
    return 1
  fi
  "$@" >/dev/null 2>&1
}

# An interrupted script stops its background jobs too (they ignore SIGINT).
on_interrupt() {
  local pid
  for pid in $(jobs -p); do
    kill "$pid" 2>/dev/null || true
  done
  exit 130
}
trap on_interrupt INT TERM

# wait_for_jobs PID...: waits for every background job; fails if any failed.
wait_for_jobs() {
  local pid failed=0
  for pid in "$@"; do
    wait "$pid" || failed=1
  done
  if [[ $failed != 0 ]]; then
    echo "deploy.sh: a parallel step failed (see above)" >&2
    exit 1
  fi
}
{% for wave in waves %}

# ===== wave {{ wave.index }}
{% for g in wave.waits %}
{{ gateway_wait(g) -}}
{% endfor %}
{% for s in wave.steps %}
{% if s.place.section %}

# --- {{ s.place.section|safe }}
run az account set --subscription {{ s.place.subscription_id }}
{% endif %}

{{ step_cmds(s) -}}
{% endfor %}
{% if wave.jobs %}

# In parallel: one background job per VNet (links on one VNet would
# conflict if written concurrently, so each job runs its links in order).
pids=()
{% for job in wave.jobs %}
# job: {{ job.comment|safe }}
(
{% for s in job.steps %}
{% if not loop.first %}

{% endif %}
{{ step_cmds(s) -}}
{% endfor %}
) &
pids+=("$!")
{% endfor %}
wait_for_jobs "${pids[@]}"
{% endif %}
{% endfor %}
{% if final_waits %}

# ===== gateways still provisioning
{% for g in final_waits %}
{{ gateway_wait(g) -}}
{% endfor %}
{% endif %}

# ===== peering sync (hook)
# HOOK peering-sync: after an address-space change of a peered VNet, each of
# its links needs `az network vnet peering sync -g RG --vnet-name VNET -n LINK`.
# The plan does not yet say which links need it, so none is synced here.
