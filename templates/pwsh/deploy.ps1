{#- Azure PowerShell deployment script. Every {{ value }} is one verbatim
    '...' string (the pwsh escaping formatter), bools are $true/$false;
    `|safe` only on comment-safe text. -#}
{% macro tags(s) %}@{ {% for t in s.tags %}{{ t.key }} = {{ t.value }}; {% endfor %}}{% endmacro %}
{% macro list(xs) %}@({% for x in xs %}{{ x }}{% if not loop.last %}, {% endif %}{% endfor %}){% endmacro %}
{% macro step_cmds(s) %}
{% set p = s.place %}
{% if s.kind == "resource-group" %}
ensure_group {{ s.name }} {{ p.location }} {{ tags(s) }}
{% elif s.kind == "vnet" %}
ensure_vnet {{ p.resource_group }} {{ s.name }} {{ p.location }} {{ list(s.address_space) }} {{ list(s.dns_servers) }} {{ tags(s) }}
{% elif s.kind == "subnet" %}
ensure_subnet {{ p.resource_group }} {{ s.vnet }} {{ s.name }} {{ list(s.prefixes) }}{% if s.route_table_id %} {{ s.route_table_id }}{% endif %}

{% elif s.kind == "public-ip" %}
ensure_public_ip {{ p.resource_group }} {{ s.name }} {{ p.location }} {{ list(s.zones) }} {{ tags(s) }}
{% elif s.kind == "gateway" %}
ensure_gateway {{ p.resource_group }} {{ s.vnet }} {{ s.name }} {{ p.location }} {{ s.public_ip }} {{ s.gateway_type }} {{ s.vpn_type or "" }} {{ s.sku }} {{ tags(s) }}
{% elif s.kind == "route-server" %}
ensure_route_server {{ p.resource_group }} {{ s.name }} {{ p.location }} {{ s.public_ip }} {{ s.hosted_subnet_id }} {{ tags(s) }}
{% elif s.kind == "route-table" %}
ensure_route_table {{ p.resource_group }} {{ s.name }} {{ p.location }} @({% for r in s.routes %}@{ Name = {{ r.name }}; AddressPrefix = {{ r.address_prefix }}; NextHopType = {{ r.next_hop_type }}; NextHopIpAddress = {{ r.next_hop_ip_address }} }{% if not loop.last %}, {% endif %}{% endfor %}) {{ tags(s) }}
{% elif s.kind == "link" %}
{% if s.cross_tenant %}
# Cross-tenant: needs a login to this tenant and to the remote VNet's tenant{% if s.remote_tenant %} ({{ s.remote_tenant|safe }}){% endif %}.
{% endif %}
ensure_link {{ p.resource_group }} {{ s.vnet }} {{ s.name }} {{ s.remote_id }} {{ s.allow_virtual_network_access }} {{ s.allow_forwarded_traffic }} {{ s.allow_gateway_transit }} {{ s.use_remote_gateways }}
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
# sequential plan order is always safe).
# -WhatIf shows every change without making it; the changing cmdlets run
# only inside ShouldProcess, as several of them have no -WhatIf of their own.
[CmdletBinding(SupportsShouldProcess)]
param()

$ErrorActionPreference = 'Stop'

# The steps below call these, one line each (positional arguments in the
# order of each param block). Every one looks first and creates only what
# is missing, or sets what exists in place; every change runs inside
# ShouldProcess (-WhatIf reaches the functions through $WhatIfPreference).

function ensure_group {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$Name, [string]$Location, [hashtable]$Tag)
    if (-not (Get-AzResourceGroup -Name $Name -ErrorAction SilentlyContinue)) {
        if ($PSCmdlet.ShouldProcess($Name, 'Create resource group')) {
            New-AzResourceGroup -Name $Name -Location $Location -Tag $Tag | Out-Null
        }
    }
}

# An existing VNet gets its address space, DNS servers and tags set; its
# subnets are kept.
function ensure_vnet {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$ResourceGroup, [string]$Name, [string]$Location, [string[]]$AddressPrefix, [string[]]$DnsServer, [hashtable]$Tag)
    $vnet = Get-AzVirtualNetwork -Name $Name -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue
    if (-not $vnet) {
        if ($PSCmdlet.ShouldProcess($Name, 'Create virtual network')) {
            if ($DnsServer) {
                New-AzVirtualNetwork -Name $Name -ResourceGroupName $ResourceGroup -Location $Location -AddressPrefix $AddressPrefix -DnsServer $DnsServer -Tag $Tag | Out-Null
            } else {
                New-AzVirtualNetwork -Name $Name -ResourceGroupName $ResourceGroup -Location $Location -AddressPrefix $AddressPrefix -Tag $Tag | Out-Null
            }
        }
    } elseif ($PSCmdlet.ShouldProcess($Name, 'Update address space and tags of virtual network (subnets kept)')) {
        $vnet.AddressSpace.AddressPrefixes = [System.Collections.Generic.List[string]]$AddressPrefix
        if ($DnsServer) {
            if ($null -eq $vnet.DhcpOptions) { $vnet.DhcpOptions = [Microsoft.Azure.Commands.Network.Models.PSDhcpOptions]::new() }
            $vnet.DhcpOptions.DnsServers = [System.Collections.Generic.List[string]]$DnsServer
        }
        $vnet.Tag = $Tag
        Set-AzVirtualNetwork -VirtualNetwork $vnet | Out-Null
    }
}

# ensure_subnet RG VNET NAME PREFIXES [ROUTE_TABLE_ID]
function ensure_subnet {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$ResourceGroup, [string]$VnetName, [string]$Name, [string[]]$AddressPrefix, [string]$RouteTableId = '')
    if ($PSCmdlet.ShouldProcess($VnetName, "Create or update subnet $Name")) {
        $vnet = Get-AzVirtualNetwork -Name $VnetName -ResourceGroupName $ResourceGroup
        $config = @{ Name = $Name; VirtualNetwork = $vnet; AddressPrefix = $AddressPrefix }
        if ($RouteTableId) { $config.RouteTableId = $RouteTableId }
        if ($vnet.Subnets.Name -contains $Name) {
            Set-AzVirtualNetworkSubnetConfig @config | Out-Null
        } else {
            Add-AzVirtualNetworkSubnetConfig @config | Out-Null
        }
        Set-AzVirtualNetwork -VirtualNetwork $vnet | Out-Null
    }
}

function ensure_public_ip {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$ResourceGroup, [string]$Name, [string]$Location, [string[]]$Zone, [hashtable]$Tag)
    if (-not (Get-AzPublicIpAddress -Name $Name -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue)) {
        if ($PSCmdlet.ShouldProcess($Name, 'Create public IP address')) {
            $config = @{ Name = $Name; ResourceGroupName = $ResourceGroup; Location = $Location; AllocationMethod = 'Static'; Sku = 'Standard'; Tag = $Tag }
            if ($Zone) { $config.Zone = $Zone }
            New-AzPublicIpAddress @config | Out-Null
        }
    }
}

# Started and waited for here (30-45 minutes).
function ensure_gateway {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$ResourceGroup, [string]$VnetName, [string]$Name, [string]$Location, [string]$PublicIpName, [string]$GatewayType, [string]$VpnType, [string]$Sku, [hashtable]$Tag)
    if (-not (Get-AzVirtualNetworkGateway -Name $Name -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue)) {
        if ($PSCmdlet.ShouldProcess($Name, 'Create virtual network gateway (30-45 minutes)')) {
            $vnet = Get-AzVirtualNetwork -Name $VnetName -ResourceGroupName $ResourceGroup
            $subnet = Get-AzVirtualNetworkSubnetConfig -Name 'GatewaySubnet' -VirtualNetwork $vnet
            $pip = Get-AzPublicIpAddress -Name $PublicIpName -ResourceGroupName $ResourceGroup
            $ipConfig = New-AzVirtualNetworkGatewayIpConfig -Name 'default' -SubnetId $subnet.Id -PublicIpAddressId $pip.Id
            $config = @{ Name = $Name; ResourceGroupName = $ResourceGroup; Location = $Location; IpConfigurations = $ipConfig; GatewayType = $GatewayType; GatewaySku = $Sku; Tag = $Tag }
            if ($VpnType) { $config.VpnType = $VpnType }
            New-AzVirtualNetworkGateway @config | Out-Null
        }
    }
}

function ensure_route_server {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$ResourceGroup, [string]$Name, [string]$Location, [string]$PublicIpName, [string]$HostedSubnet, [hashtable]$Tag)
    if (-not (Get-AzRouteServer -RouteServerName $Name -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue)) {
        if ($PSCmdlet.ShouldProcess($Name, 'Create route server')) {
            $pip = Get-AzPublicIpAddress -Name $PublicIpName -ResourceGroupName $ResourceGroup
            New-AzRouteServer -RouteServerName $Name -ResourceGroupName $ResourceGroup -Location $Location -HostedSubnet $HostedSubnet -PublicIpAddress $pip -Tag $Tag | Out-Null
        }
    }
}

# ROUTES: hashtables with Name, AddressPrefix, NextHopType, NextHopIpAddress.
# An existing table gets each route added or set.
function ensure_route_table {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$ResourceGroup, [string]$Name, [string]$Location, [hashtable[]]$Routes, [hashtable]$Tag)
    $routeTable = Get-AzRouteTable -Name $Name -ResourceGroupName $ResourceGroup -ErrorAction SilentlyContinue
    if (-not $routeTable) {
        if ($PSCmdlet.ShouldProcess($Name, 'Create route table')) {
            $configs = @(foreach ($r in $Routes) { New-AzRouteConfig -Name $r.Name -AddressPrefix $r.AddressPrefix -NextHopType $r.NextHopType -NextHopIpAddress $r.NextHopIpAddress })
            New-AzRouteTable -Name $Name -ResourceGroupName $ResourceGroup -Location $Location -Route $configs -Tag $Tag | Out-Null
        }
    } elseif ($PSCmdlet.ShouldProcess($Name, 'Update routes of route table')) {
        foreach ($r in $Routes) {
            if ($routeTable.Routes.Name -contains $r.Name) {
                Set-AzRouteConfig -RouteTable $routeTable -Name $r.Name -AddressPrefix $r.AddressPrefix -NextHopType $r.NextHopType -NextHopIpAddress $r.NextHopIpAddress | Out-Null
            } else {
                Add-AzRouteConfig -RouteTable $routeTable -Name $r.Name -AddressPrefix $r.AddressPrefix -NextHopType $r.NextHopType -NextHopIpAddress $r.NextHopIpAddress | Out-Null
            }
        }
        Set-AzRouteTable -RouteTable $routeTable | Out-Null
    }
}

# ensure_link RG VNET NAME REMOTE_VNET_ID ALLOW_VNET_ACCESS
#   ALLOW_FORWARDED_TRAFFIC ALLOW_GATEWAY_TRANSIT USE_REMOTE_GATEWAYS
# An existing peering gets its four flags set.
function ensure_link {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$ResourceGroup, [string]$VnetName, [string]$Name, [string]$RemoteId, [bool]$AllowVnetAccess, [bool]$AllowForwardedTraffic, [bool]$AllowGatewayTransit, [bool]$UseRemoteGateways)
    $peering = Get-AzVirtualNetworkPeering -VirtualNetworkName $VnetName -ResourceGroupName $ResourceGroup -Name $Name -ErrorAction SilentlyContinue
    if (-not $peering) {
        if ($PSCmdlet.ShouldProcess("$VnetName/$Name", "Create peering to $RemoteId")) {
            $vnet = Get-AzVirtualNetwork -Name $VnetName -ResourceGroupName $ResourceGroup
            $block = -not $AllowVnetAccess
            Add-AzVirtualNetworkPeering -Name $Name -VirtualNetwork $vnet -RemoteVirtualNetworkId $RemoteId -BlockVirtualNetworkAccess:$block -AllowForwardedTraffic:$AllowForwardedTraffic -AllowGatewayTransit:$AllowGatewayTransit -UseRemoteGateways:$UseRemoteGateways | Out-Null
        }
    } elseif ($PSCmdlet.ShouldProcess("$VnetName/$Name", 'Set peering flags')) {
        $peering.AllowVirtualNetworkAccess = $AllowVnetAccess
        $peering.AllowForwardedTraffic = $AllowForwardedTraffic
        $peering.AllowGatewayTransit = $AllowGatewayTransit
        $peering.UseRemoteGateways = $UseRemoteGateways
        Set-AzVirtualNetworkPeering -VirtualNetworkPeering $peering | Out-Null
    }
}
{% for s in steps %}
{% if s.place.section %}

# --- {{ s.place.section|safe }}
Set-AzContext -Subscription {{ s.place.subscription_id }}{% if s.place.tenant %} -Tenant {{ s.place.tenant }}{% endif %} -WhatIf:$false | Out-Null
{% endif %}

{{ step_cmds(s) -}}
{% endfor %}

{% if syncs %}
# ===== peering sync: these links' remote VNets changed their address space
# since the previous topology (azmesh build --since); sync each link so it
# learns the new prefixes.
{% for s in syncs %}
Set-AzContext -Subscription {{ s.subscription_id }}{% if s.tenant %} -Tenant {{ s.tenant }}{% endif %} -WhatIf:$false | Out-Null
if ($PSCmdlet.ShouldProcess({{ s.vnet }} + '/' + {{ s.link }}, 'Sync-AzVirtualNetworkPeering')) {
    Sync-AzVirtualNetworkPeering -ResourceGroupName {{ s.resource_group }} -VirtualNetworkName {{ s.vnet }} -Name {{ s.link }} | Out-Null
}
{% endfor %}
{% else %}
# ===== peering sync: none (after an address-space change of a peered VNet,
# build with `azmesh build FILE --since OLD` to add the sync steps).
{% endif %}
