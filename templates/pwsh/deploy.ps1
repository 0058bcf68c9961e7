{#- Azure PowerShell deployment script. Every {{ value }} is one verbatim
    '...' string (the pwsh escaping formatter), bools are $true/$false;
    `|safe` only on comment-safe text. -#}
{% macro tags(s) %}@{ {% for t in s.tags %}{{ t.key }} = {{ t.value }}; {% endfor %}}{% endmacro %}
{% macro list(xs) %}@({% for x in xs %}{{ x }}{% if not loop.last %}, {% endif %}{% endfor %}){% endmacro %}
{% macro step_cmds(s) %}
{% set p = s.place %}
# {{ s.comment|safe }}
{% if s.kind == "resource-group" %}
if (-not (Get-AzResourceGroup -Name {{ s.name }} -ErrorAction SilentlyContinue)) {
    if ($PSCmdlet.ShouldProcess({{ s.name }}, 'Create resource group')) {
        New-AzResourceGroup -Name {{ s.name }} -Location {{ p.location }} -Tag {{ tags(s) }} | Out-Null
    }
}
{% elif s.kind == "vnet" %}
$vnet = Get-AzVirtualNetwork -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -ErrorAction SilentlyContinue
if (-not $vnet) {
    if ($PSCmdlet.ShouldProcess({{ s.name }}, 'Create virtual network')) {
        New-AzVirtualNetwork -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -Location {{ p.location }} -AddressPrefix {{ list(s.address_space) }}{% if s.dns_servers %} -DnsServer {{ list(s.dns_servers) }}{% endif %} -Tag {{ tags(s) }} | Out-Null
    }
} elseif ($PSCmdlet.ShouldProcess({{ s.name }}, 'Update address space and tags of virtual network (subnets kept)')) {
    $vnet.AddressSpace.AddressPrefixes = [System.Collections.Generic.List[string]]{{ list(s.address_space) }}
{% if s.dns_servers %}
    if ($null -eq $vnet.DhcpOptions) { $vnet.DhcpOptions = [Microsoft.Azure.Commands.Network.Models.PSDhcpOptions]::new() }
    $vnet.DhcpOptions.DnsServers = [System.Collections.Generic.List[string]]{{ list(s.dns_servers) }}
{% endif %}
    $vnet.Tag = {{ tags(s) }}
    Set-AzVirtualNetwork -VirtualNetwork $vnet | Out-Null
}
{% elif s.kind == "subnet" %}
if ($PSCmdlet.ShouldProcess({{ s.vnet }}, {{ "Create or update subnet " ~ s.name }})) {
    $vnet = Get-AzVirtualNetwork -Name {{ s.vnet }} -ResourceGroupName {{ p.resource_group }}
    if ($vnet.Subnets.Name -contains {{ s.name }}) {
        Set-AzVirtualNetworkSubnetConfig -Name {{ s.name }} -VirtualNetwork $vnet -AddressPrefix {{ list(s.prefixes) }}{% if s.route_table_id %} -RouteTableId {{ s.route_table_id }}{% endif %} | Out-Null
    } else {
        Add-AzVirtualNetworkSubnetConfig -Name {{ s.name }} -VirtualNetwork $vnet -AddressPrefix {{ list(s.prefixes) }}{% if s.route_table_id %} -RouteTableId {{ s.route_table_id }}{% endif %} | Out-Null
    }
    Set-AzVirtualNetwork -VirtualNetwork $vnet | Out-Null
}
{% elif s.kind == "public-ip" %}
if (-not (Get-AzPublicIpAddress -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -ErrorAction SilentlyContinue)) {
    if ($PSCmdlet.ShouldProcess({{ s.name }}, 'Create public IP address')) {
        New-AzPublicIpAddress -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -Location {{ p.location }} -AllocationMethod 'Static' -Sku 'Standard'{% if s.zones %} -Zone {{ list(s.zones) }}{% endif %} -Tag {{ tags(s) }} | Out-Null
    }
}
{% elif s.kind == "gateway" %}
if (-not (Get-AzVirtualNetworkGateway -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -ErrorAction SilentlyContinue)) {
    if ($PSCmdlet.ShouldProcess({{ s.name }}, 'Create virtual network gateway (30-45 minutes)')) {
        $vnet = Get-AzVirtualNetwork -Name {{ s.vnet }} -ResourceGroupName {{ p.resource_group }}
        $subnet = Get-AzVirtualNetworkSubnetConfig -Name 'GatewaySubnet' -VirtualNetwork $vnet
        $pip = Get-AzPublicIpAddress -Name {{ s.public_ip }} -ResourceGroupName {{ p.resource_group }}
        $ipConfig = New-AzVirtualNetworkGatewayIpConfig -Name 'default' -SubnetId $subnet.Id -PublicIpAddressId $pip.Id
        New-AzVirtualNetworkGateway -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -Location {{ p.location }} -IpConfigurations $ipConfig -GatewayType {{ s.gateway_type }}{% if s.vpn_type %} -VpnType {{ s.vpn_type }}{% endif %} -GatewaySku {{ s.sku }} -Tag {{ tags(s) }} | Out-Null
    }
}
{% elif s.kind == "route-server" %}
if (-not (Get-AzRouteServer -RouteServerName {{ s.name }} -ResourceGroupName {{ p.resource_group }} -ErrorAction SilentlyContinue)) {
    if ($PSCmdlet.ShouldProcess({{ s.name }}, 'Create route server')) {
        $pip = Get-AzPublicIpAddress -Name {{ s.public_ip }} -ResourceGroupName {{ p.resource_group }}
        New-AzRouteServer -RouteServerName {{ s.name }} -ResourceGroupName {{ p.resource_group }} -Location {{ p.location }} -HostedSubnet {{ s.hosted_subnet_id }} -PublicIpAddress $pip -Tag {{ tags(s) }} | Out-Null
    }
}
{% elif s.kind == "route-table" %}
$routeTable = Get-AzRouteTable -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -ErrorAction SilentlyContinue
if (-not $routeTable) {
    if ($PSCmdlet.ShouldProcess({{ s.name }}, 'Create route table')) {
        $routes = @(
{% for r in s.routes %}
            New-AzRouteConfig -Name {{ r.name }} -AddressPrefix {{ r.address_prefix }} -NextHopType {{ r.next_hop_type }} -NextHopIpAddress {{ r.next_hop_ip_address }}
{% endfor %}
        )
        New-AzRouteTable -Name {{ s.name }} -ResourceGroupName {{ p.resource_group }} -Location {{ p.location }} -Route $routes -Tag {{ tags(s) }} | Out-Null
    }
} elseif ($PSCmdlet.ShouldProcess({{ s.name }}, 'Update routes of route table')) {
{% for r in s.routes %}
    if ($routeTable.Routes.Name -contains {{ r.name }}) {
        Set-AzRouteConfig -RouteTable $routeTable -Name {{ r.name }} -AddressPrefix {{ r.address_prefix }} -NextHopType {{ r.next_hop_type }} -NextHopIpAddress {{ r.next_hop_ip_address }} | Out-Null
    } else {
        Add-AzRouteConfig -RouteTable $routeTable -Name {{ r.name }} -AddressPrefix {{ r.address_prefix }} -NextHopType {{ r.next_hop_type }} -NextHopIpAddress {{ r.next_hop_ip_address }} | Out-Null
    }
{% endfor %}
    Set-AzRouteTable -RouteTable $routeTable | Out-Null
}
{% elif s.kind == "link" %}
{% if s.cross_tenant %}
# Cross-tenant: needs a login to this tenant and to the remote VNet's tenant{% if s.remote_tenant %} ({{ s.remote_tenant|safe }}){% endif %}.
{% endif %}
$peering = Get-AzVirtualNetworkPeering -VirtualNetworkName {{ s.vnet }} -ResourceGroupName {{ p.resource_group }} -Name {{ s.name }} -ErrorAction SilentlyContinue
if (-not $peering) {
    if ($PSCmdlet.ShouldProcess({{ s.child_name }}, {{ "Create peering to " ~ s.remote }})) {
        $vnet = Get-AzVirtualNetwork -Name {{ s.vnet }} -ResourceGroupName {{ p.resource_group }}
        Add-AzVirtualNetworkPeering -Name {{ s.name }} -VirtualNetwork $vnet -RemoteVirtualNetworkId {{ s.remote_id }} -BlockVirtualNetworkAccess:{{ not s.allow_virtual_network_access }} -AllowForwardedTraffic:{{ s.allow_forwarded_traffic }} -AllowGatewayTransit:{{ s.allow_gateway_transit }} -UseRemoteGateways:{{ s.use_remote_gateways }} | Out-Null
    }
} elseif ($PSCmdlet.ShouldProcess({{ s.child_name }}, 'Set peering flags')) {
    $peering.AllowVirtualNetworkAccess = {{ s.allow_virtual_network_access }}
    $peering.AllowForwardedTraffic = {{ s.allow_forwarded_traffic }}
    $peering.AllowGatewayTransit = {{ s.allow_gateway_transit }}
    $peering.UseRemoteGateways = {{ s.use_remote_gateways }}
    Set-AzVirtualNetworkPeering -VirtualNetworkPeering $peering | Out-Null
}
{% endif %}
{% endmacro %}
#Requires -Modules Az.Accounts, Az.Network, Az.Resources
{% for line in header %}
#{% if line %} {{ line|safe }}{% endif %}

{% endfor %}
{% for t in tenants %}
#   Connect-AzAccount -Tenant {{ t|safe }}
{% endfor %}
#
# Log in first (`Connect-AzAccount`{% if cloud_name != "AzureCloud" %} -Environment {{ cloud_name|safe }}{% endif %}).
# Idempotent: every resource is looked up before it is created; existing
# VNets are updated in place (their subnets are kept), existing peerings get
# their flags set. Steps run one at a time in plan order (no parallelism:
# sequential plan order is always safe). -WhatIf shows every change without
# making it; the changing cmdlets run only inside $PSCmdlet.ShouldProcess,
# as several of them have no -WhatIf of their own.
[CmdletBinding(SupportsShouldProcess)]
param()

$ErrorActionPreference = 'Stop'
{% for s in steps %}
{% if s.place.section %}

# --- {{ s.place.section|safe }}
Set-AzContext -Subscription {{ s.place.subscription_id }}{% if s.place.tenant %} -Tenant {{ s.place.tenant }}{% endif %} -WhatIf:$false | Out-Null
{% endif %}

{{ step_cmds(s) -}}
{% endfor %}

# ===== peering sync (hook)
# HOOK peering-sync: after an address-space change of a peered VNet, each of
# its links needs `Sync-AzVirtualNetworkPeering -VirtualNetworkName VNET
# -ResourceGroupName RG -Name LINK`. The plan does not yet say which links
# need it, so none is synced here.
