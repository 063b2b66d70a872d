<#
.SYNOPSIS
    Prints this Windows host's inventory as one JSON document for canhgac.

.DESCRIPTION
    Format: canhgac/inventory/collectors/schema/host-inventory.schema.json ("canhgac-host-inventory" 1.0), read by
    canhgac's "host-json" importer; documentation: docs/importers/host-collector.md.

    Collects: host name, FQDN and IP addresses; the operating system (Win32_OperatingSystem and
    HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion: CurrentBuild, UBR, DisplayVersion or
    ReleaseId, ProductName, EditionID, giving the exact build such as 10.0.17763.2686); the
    installed updates (Get-HotFix); the installed programs (the Uninstall registry keys: HKLM
    64-bit, HKLM 32-bit and HKCU); the listening TCP and UDP sockets with their process names.
    It reads no user data (no documents, no browser data, no command lines, no environment).

    Windows PowerShell 5.1 or later. Runs without administrator rights. A section that cannot
    be read is left out of the document; one read only partly is listed in "incomplete".

.PARAMETER OutFile
    Write the document to this file, UTF-8 without BOM. Prefer it to "> file": in Windows
    PowerShell 5.1, redirection writes UTF-16, which canhgac refuses.

.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\canhgac-collect.ps1 -OutFile "$env:COMPUTERNAME.json"
#>
[CmdletBinding()]
param(
    [string] $OutFile
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$CollectorVersion = '1.0.0'
$Invariant = [System.Globalization.CultureInfo]::InvariantCulture

# Windows PowerShell 5.1 turns arrays carrying extended type data into {"value": [...], "Count": n}
# in ConvertTo-Json; without this type data, arrays stay arrays.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue

if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
    Write-Warning 'Run the 64-bit PowerShell: a 32-bit one does not see the 64-bit programs.'
}

# The value of a property, or $null when the object or the property does not exist.
function Get-Property {
    param($Object, [string] $Name)
    if ($null -eq $Object) { return $null }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    return $property.Value
}

# A value as trimmed text; '' for $null.
function Get-Text {
    param($Value)
    if ($null -eq $Value) { return '' }
    return ([string] $Value).Trim()
}

# "0.0.0.0", "::", "fe80::1%5", "[::1]" -> the address without brackets and zone.
function Get-PlainAddress {
    param([string] $Address)
    return ($Address.Trim('[', ']') -split '%')[0]
}

$incomplete = New-Object System.Collections.Generic.List[string]

# --- Identity -------------------------------------------------------------------------------

$computerSystem = $null
try {
    $computerSystem = Get-CimInstance -ClassName Win32_ComputerSystem
} catch {
    $computerSystem = $null
}
$hostName = Get-Text (Get-Property $computerSystem 'DNSHostName')
if (-not $hostName) { $hostName = Get-Text $env:COMPUTERNAME }
if (-not $hostName) { $hostName = 'localhost' }

# The primary DNS suffix, read locally (no DNS query, so it cannot hang).
$fqdn = ''
try {
    $ipProperties = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()
    if ($ipProperties.DomainName) {
        $fqdn = '{0}.{1}' -f $ipProperties.HostName, $ipProperties.DomainName
    }
} catch { $fqdn = '' }

$addresses = New-Object System.Collections.Generic.List[string]
try {
    $interfaces = [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces()
    foreach ($interface in $interfaces) {
        if ($interface.OperationalStatus -ne 'Up') { continue }
        if ($interface.NetworkInterfaceType -eq 'Loopback') { continue }
        foreach ($unicast in $interface.GetIPProperties().UnicastAddresses) {
            $address = $unicast.Address
            if ([System.Net.IPAddress]::IsLoopback($address)) { continue }
            if ($address.IsIPv6LinkLocal) { continue }
            $text = $address.ToString()
            if ($text.StartsWith('169.254.')) { continue }
            if (-not $addresses.Contains($text)) { $addresses.Add($text) }
        }
    }
} catch {
    Write-Warning "IP addresses: $($_.Exception.Message)"
}

# --- Operating system -----------------------------------------------------------------------

$operatingSystem = $null
try {
    $operatingSystem = Get-CimInstance -ClassName Win32_OperatingSystem
} catch {
    $operatingSystem = $null
}
$currentVersion = $null
try {
    $currentVersion = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
} catch { $currentVersion = $null }

# 10.0.17763
$version = Get-Text (Get-Property $operatingSystem 'Version')
if (-not $version) {
    $osVersion = [Environment]::OSVersion.Version
    $version = '{0}.{1}.{2}' -f $osVersion.Major, $osVersion.Minor, $osVersion.Build
}
# 17763
$currentBuild = Get-Text (Get-Property $currentVersion 'CurrentBuild')
if (-not $currentBuild) {
    $currentBuild = Get-Text (Get-Property $currentVersion 'CurrentBuildNumber')
}
# 2686: the update build revision, raised by each cumulative update
$ubr = Get-Property $currentVersion 'UBR'
# 21H2 (DisplayVersion, since 20H2), else 1809 (ReleaseId)
$displayVersion = Get-Text (Get-Property $currentVersion 'DisplayVersion')
if (-not $displayVersion) {
    $displayVersion = Get-Text (Get-Property $currentVersion 'ReleaseId')
}
$productName = Get-Text (Get-Property $currentVersion 'ProductName')
# Microsoft Windows Server 2019 Standard (ProductName still says "Windows 10" on Windows 11)
$caption = Get-Text (Get-Property $operatingSystem 'Caption')
if (-not $caption) { $caption = $productName }
if (-not $caption) { $caption = 'Microsoft Windows' }

$os = [ordered]@{
    family  = 'windows'
    name    = $caption
    version = $version
}
if ($null -ne $ubr) {
    $os.build = '{0}.{1}' -f $version, [int] $ubr                       # 10.0.17763.2686
    $os.ubr = [int] $ubr
}
if ($currentBuild) { $os.current_build = $currentBuild }
if ($displayVersion) { $os.display_version = $displayVersion }
if ($productName) { $os.product_name = $productName }
$editionId = Get-Text (Get-Property $currentVersion 'EditionID')
if ($editionId) { $os.edition_id = $editionId }
# 1 workstation, 2 domain controller, 3 server
$productType = Get-Property $operatingSystem 'ProductType'
if ($null -ne $productType) { $os.product_type = [int] $productType }
$architecture = Get-Text (Get-Property $operatingSystem 'OSArchitecture')
if ($architecture) { $os.architecture = $architecture }

# --- Installed programs (Uninstall keys) ----------------------------------------------------

$uninstallKeys = @(
    @{
        Path  = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
        Scope = 'machine'
    },
    @{
        Path  = 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
        Scope = 'machine-32bit'
    },
    @{
        Path  = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall'
        Scope = 'user'
    }
)
$programs = New-Object System.Collections.Generic.List[object]
foreach ($key in $uninstallKeys) {
    if (-not (Test-Path -Path $key.Path)) { continue }  # no WOW6432Node on 32-bit Windows
    $readErrors = $null
    $entries = @(Get-ItemProperty -Path (Join-Path $key.Path '*') `
            -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    if ($readErrors) { if (-not $incomplete.Contains('programs')) { $incomplete.Add('programs') } }
    foreach ($entry in $entries) {
        $name = Get-Text (Get-Property $entry 'DisplayName')
        if (-not $name) { continue }
        $programs.Add([ordered]@{
            name             = $name
            version          = Get-Text (Get-Property $entry 'DisplayVersion')
            publisher        = Get-Text (Get-Property $entry 'Publisher')
            install_date     = Get-Text (Get-Property $entry 'InstallDate')
            scope            = $key.Scope
            system_component = ((Get-Property $entry 'SystemComponent') -eq 1)
        })
    }
}

# --- Installed updates (Get-HotFix) ---------------------------------------------------------

$updates = $null
try {
    $updates = New-Object System.Collections.Generic.List[object]
    foreach ($hotFix in @(Get-HotFix)) {
        $kb = Get-Text $hotFix.HotFixID
        if (-not $kb) { continue }
        $installedOn = $null
        try {
            # A script property parsing the stored date; $null or an error on some entries.
            $date = $hotFix.InstalledOn
            if ($date) { $installedOn = ([datetime] $date).ToString('yyyy-MM-dd', $Invariant) }
        } catch { $installedOn = $null }
        $updates.Add([ordered]@{
            kb           = $kb
            installed_on = $installedOn
            description  = Get-Text $hotFix.Description
        })
    }
} catch {
    Write-Warning "Get-HotFix: $($_.Exception.Message)"
    $updates = $null
}

# --- Listening sockets ----------------------------------------------------------------------

$processNames = @{}
foreach ($process in @(Get-Process -ErrorAction SilentlyContinue)) {
    $processNames[[int] $process.Id] = $process.ProcessName
}

function New-Listening {
    param([string] $Protocol, [int] $Port, [string] $Address, $ProcessId)
    $entry = [ordered]@{ protocol = $Protocol; port = $Port; address = (Get-PlainAddress $Address) }
    if ($null -ne $ProcessId -and $processNames.ContainsKey([int] $ProcessId)) {
        $entry.process = $processNames[[int] $ProcessId]
    }
    return $entry
}

$listening = $null
try {
    $listening = New-Object System.Collections.Generic.List[object]
    foreach ($connection in @(Get-NetTCPConnection | Where-Object { $_.State -eq 'Listen' })) {
        $entry = New-Listening 'tcp' $connection.LocalPort $connection.LocalAddress `
            $connection.OwningProcess
        $listening.Add($entry)
    }
    foreach ($endpoint in @(Get-NetUDPEndpoint)) {
        $entry = New-Listening 'udp' $endpoint.LocalPort $endpoint.LocalAddress `
            $endpoint.OwningProcess
        $listening.Add($entry)
    }
} catch {
    # No NetTCPIP module (Windows Server 2008 R2): netstat -ano. Its state names are translated,
    # so a listening TCP socket is recognised by its foreign address 0.0.0.0:0 or [::]:0.
    try {
        $listening = New-Object System.Collections.Generic.List[object]
        foreach ($line in @(& netstat.exe -ano)) {
            $fields = -split $line
            if ($fields.Count -lt 4 -or $fields[0] -notmatch '^(TCP|UDP)$') { continue }
            $protocol = $fields[0].ToLowerInvariant()
            $listens = $fields[2] -match '^(0\.0\.0\.0|\[::\]):0$'
            if ($protocol -eq 'tcp' -and -not $listens) { continue }
            $local = $fields[1]
            $separator = $local.LastIndexOf(':')
            if ($separator -lt 0) { continue }
            $port = 0
            if (-not [int]::TryParse($local.Substring($separator + 1), [ref] $port)) { continue }
            $processId = 0
            [void] [int]::TryParse($fields[$fields.Count - 1], [ref] $processId)
            $entry = New-Listening $protocol $port $local.Substring(0, $separator) $processId
            $listening.Add($entry)
        }
    } catch {
        Write-Warning "listening sockets: $($_.Exception.Message)"
        $listening = $null
    }
}

# --- Document -------------------------------------------------------------------------------

$document = [ordered]@{
    schema         = 'canhgac-host-inventory'
    schema_version = '1.0'
    collected_at   = [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $Invariant)
    collector      = [ordered]@{
        name       = 'canhgac-collect.ps1'
        version    = $CollectorVersion
        powershell = $PSVersionTable.PSVersion.ToString()
    }
    hostname       = $hostName
    fqdn           = $fqdn
    ip_addresses   = $addresses.ToArray()
    os             = $os
    programs       = $programs.ToArray()
}
if ($null -ne $updates) { $document.updates = $updates.ToArray() }
if ($null -ne $listening) { $document.listening = $listening.ToArray() }
if ($incomplete.Count -gt 0) { $document.incomplete = $incomplete.ToArray() }

$json = ConvertTo-Json -InputObject $document -Depth 6
if ($OutFile) {
    $path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
    $utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false  # no BOM
    [System.IO.File]::WriteAllText($path, $json, $utf8)
} else {
    try {
        [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    } catch {
        Write-Verbose 'the console encoding cannot be set (no console)'
    }
    Write-Output $json
}
