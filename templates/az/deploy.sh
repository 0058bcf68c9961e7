{#- az CLI deployment script. Every {{ value }} is one single-quoted bash
    word (the az escaping formatter); `|safe` only on comment-safe text. -#}
{#- Commands with the older tag parser (`az group create`, `public-ip
    create`, `routeserver create`) take `key=value` words, which carry any
    text; the AAZ `az network` commands take the tags as one JSON word. -#}
{% macro tag_words(s) %}{% if s.tags %} --tags{% for t in s.tags %} {{ t.word }}{% endfor %}{% endif %}{% endmacro %}
{% macro sub(p) %}--subscription {{ p.subscription_id }} -o none{% endmacro %}
{% macro step_cmds(s) %}
{% set p = s.place %}
{% if s.kind not in ["vnet", "subnet", "link"] %}
# {{ s.comment|safe }}
{% endif %}
{% if s.kind == "resource-group" %}
if ! exists az group show --name {{ s.name }} {{ sub(p) }}; then
  run az group create --name {{ s.name }} --location {{ p.location }}{{ tag_words(s) }} {{ sub(p) }}
fi
{% elif s.kind == "vnet" %}
ensure_vnet {{ p.subscription_id }} {{ p.resource_group }} {{ s.name }} {{ p.location }} {{ s.tags_json }} {{ s.address_space|join(" ") }}{% if s.dns_servers %} {{ s.dns_servers|join(" ") }}{% endif %}

{% elif s.kind == "subnet" %}
ensure_subnet {{ p.subscription_id }} {{ p.resource_group }} {{ s.vnet }} {{ s.name }} {{ s.prefixes|join(" ") }}{% if s.route_table_id %} {{ s.route_table_id }}{% endif %}

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
ensure_classic_link {{ p.subscription_id }} {{ p.resource_group }} {{ s.child_name }} {{ s.properties_json }}
{% else %}
ensure_link {{ p.subscription_id }} {{ p.resource_group }} {{ s.vnet }} {{ s.name }} {{ s.remote_id }} {{ s.allow_virtual_network_access }} {{ s.allow_forwarded_traffic }} {{ s.allow_gateway_transit }} {{ s.use_remote_gateways }}
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

# The steps below call these, one line each. Every one looks first and
# creates only what is missing (or sets what exists in place).

# ensure_vnet SUB RG NAME LOCATION TAGS_JSON 'PREFIX...' ['DNS...']
# An existing VNet gets its address space, DNS servers and tags set; its
# subnets are kept.
ensure_vnet() {
  local sub=$1 rg=$2 name=$3 location=$4 tags=$5
  local -a prefixes servers dns=()
  read -ra prefixes <<<"$6"
  if [[ -n ${7:-} ]]; then
    read -ra servers <<<"$7"
    dns=(--dns-servers "${servers[@]}")
  fi
  if exists az network vnet show -g "$rg" -n "$name" --subscription "$sub" -o none; then
    run az network vnet update -g "$rg" -n "$name" --address-prefixes "${prefixes[@]}" "${dns[@]}" --set "tags=$tags" --subscription "$sub" -o none
  else
    run az network vnet create -g "$rg" -n "$name" -l "$location" --address-prefixes "${prefixes[@]}" "${dns[@]}" --tags "$tags" --subscription "$sub" -o none
  fi
}

# ensure_subnet SUB RG VNET NAME 'PREFIX...' [ROUTE_TABLE_ID]
ensure_subnet() {
  local sub=$1 rg=$2 vnet=$3 name=$4
  local -a prefixes route_table=()
  read -ra prefixes <<<"$5"
  if [[ -n ${6:-} ]]; then
    route_table=(--route-table "$6")
  fi
  if exists az network vnet subnet show -g "$rg" --vnet-name "$vnet" -n "$name" --subscription "$sub" -o none; then
    run az network vnet subnet update -g "$rg" --vnet-name "$vnet" -n "$name" --address-prefixes "${prefixes[@]}" "${route_table[@]}" --subscription "$sub" -o none
  else
    run az network vnet subnet create -g "$rg" --vnet-name "$vnet" -n "$name" --address-prefixes "${prefixes[@]}" "${route_table[@]}" --subscription "$sub" -o none
  fi
}

# ensure_link SUB RG VNET NAME REMOTE_VNET_ID ALLOW_VNET_ACCESS
#   ALLOW_FORWARDED_TRAFFIC ALLOW_GATEWAY_TRANSIT USE_REMOTE_GATEWAYS
# An existing peering gets its four flags set.
ensure_link() {
  local sub=$1 rg=$2 vnet=$3 name=$4 remote=$5 access=$6 forwarded=$7 transit=$8 remote_gateways=$9
  if exists az network vnet peering show -g "$rg" --vnet-name "$vnet" -n "$name" --subscription "$sub" -o none; then
    run az network vnet peering update -g "$rg" --vnet-name "$vnet" -n "$name" --allow-vnet-access "$access" --allow-forwarded-traffic "$forwarded" --allow-gateway-transit "$transit" --use-remote-gateways "$remote_gateways" --subscription "$sub" -o none
  else
    run az network vnet peering create -g "$rg" --vnet-name "$vnet" -n "$name" --remote-vnet "$remote" --allow-vnet-access "$access" --allow-forwarded-traffic "$forwarded" --allow-gateway-transit "$transit" --use-remote-gateways "$remote_gateways" --subscription "$sub" -o none
  fi
}

# ensure_classic_link SUB RG VNET/LINK PROPERTIES_JSON
# The remote is classic: `az network vnet peering create` rejects its id, so
# the link is written with a generic PUT (create or update).
ensure_classic_link() {
  local sub=$1 rg=$2 child=$3 properties=$4
  run az resource create -g "$rg" --resource-type Microsoft.Network/virtualNetworks/virtualNetworkPeerings -n "$child" --api-version {{ api_version }} --properties "$properties" --subscription "$sub" -o none
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
# conflict if written concurrently, so a job runs its links in order).
pids=()
{% for job in wave.jobs %}
{% if job.steps|length == 1 %}
{{ step_cmds(job.steps[0])|trim|safe }} &
{% else %}
(
{% for s in job.steps %}
{{ step_cmds(s) -}}
{% endfor %}
) &
{% endif %}
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

{% if syncs %}
# ===== peering sync: these links' remote VNets changed their address space
# since the previous topology (azmesh build --since); sync each link so it
# learns the new prefixes.
{% for s in syncs %}
run az network vnet peering sync --subscription {{ s.subscription_id }} -g {{ s.resource_group }} --vnet-name {{ s.vnet }} -n {{ s.link }} -o none
{% endfor %}
{% else %}
# ===== peering sync: none (after an address-space change of a peered VNet,
# build with `azmesh build FILE --since OLD` to add the sync steps).
{% endif %}
