"""Sample wording of the access queues: passwords, lockouts, MFA, VPN, wifi, folders, doors.

These are the queues a real desk confuses most: all of them talk about logging in, access
and accounts, and what separates a reset from a lockout from an MFA problem is what the user
describes, not a word only one of them uses. Format: see `sample_templates`.
"""

SPEC = """
password_reset 153
N: account_lockout mfa_setup email_delivery
T: my password | the password reset | the reset link | my login
S: Password reset | Forgot my password | Can't log in to {product} | Reset my password please
  | Password expired | Need a new {product} password | pw reset | Password change not working
  | Login problem | {product} credentials | New password needed
B: I {forgot} my {pw} for {product} and the {link} gives {error}.
  | My {product} {pw} {expired} this morning and the {link} rejects the new one.
  | Could you reset my {pw}? I changed it on {date} and now {product} says it is wrong.
  | The {link} never arrives, I tried three times since {date}.
  | I'm on a new {device} and {forgot} my {pw}, and the {link} doesn't help.
  | After the forced change {product} keeps rejecting my new {pw} with {error}.
  | I {forgot} my {pw} over the holidays. I'd rather not guess again and get locked out.
  | The {link} says my new {pw} doesn't meet the rules, but it has a number and a symbol.
  | {product} asks me to change my {pw} every time I sign in since {date}.
  | How do I change my {pw}? It {expired} and I only get a blank page.
  | My account itself is fine, I just {forgot} the {pw} and need a temporary one.
  | I typed my old {pw} on the new {device} and now none of them work, can you set a new one?
Q: pw reset | password expired | forgot pw again | reset my password pls | new password please
  | password not accepted | {pw} reset {product} | need temp password
@pw: password | login password | passphrase | network password | Windows password
  | sign-in password | domain password | PIN | credentials | login details | secret
@forgot: forgot | can't remember | have forgotten | lost | no longer remember | blanked on
  | mixed up | keep mistyping
@expired: expired | has expired | ran out | is past its expiry date | hit the 90-day limit
  | timed out | is due for renewal | was invalidated
@link: reset link | reset email | self-service reset page | password portal | reset code
  | recovery email | "forgot password" page | verification email | reset SMS

account_lockout 118
N: password_reset mfa_setup email_delivery
T: the lockout | my locked account | being locked out
S: Account locked | Locked out of {product} | My account is locked again | Account disabled?
  | Too many login attempts | Can't access my account | Locked out | Blocked from {product}
  | Unlock my account please
B: My account got {locked} after {attempts}, {product} now shows {error}.
  | I'm {locked} out of {product} since {date}, can you unlock my account?
  | It says my account is {disabled}. I did not change my password, please unlock it.
  | I keep getting {locked} out every morning, probably an old session on my {device}.
  | {person} from my team is {locked} out of {product} and has a customer call at 10.
  | {locked} out again right after the password change, {error} on every login.
  | My password is correct, I'm sure, but the account is {disabled} since {date}.
  | After {attempts} {product} {disabled} my account. Please unblock it.
  | I reset my password yesterday and now I'm {locked} out of everything.
  | The login page says "account {disabled}, contact your administrator".
  | I know my password, the system just won't let me in after {attempts}.
Q: locked out | account locked again | locked out of {product} | unlock pls | account disabled
  | blocked again | cant get in, locked
@locked: locked | blocked | shut | frozen | barred | kicked | suspended
@disabled: locked | disabled | blocked | suspended | deactivated | frozen | on hold
  | temporarily locked
@attempts: too many attempts | three wrong tries | a few failed logins | five attempts
  | one typo too many | repeated failures | a wrong PIN twice

mfa_setup 31
N: account_lockout password_reset email_delivery
T: the MFA prompt | my authenticator | two-factor | the sign-in codes
S: MFA setup | New phone, lost authenticator | 2FA codes not working | Authenticator app reset
  | Can't approve sign-in | MFA prompt loop | Verification code problem | {mfa} issue
B: I got a new phone and my {mfa} no longer has the {product} account.
  | The {code} is always rejected with {error}, my password is accepted though.
  | Please reset my {mfa} so I can register my new {device}.
  | I don't get the {code} to approve the sign-in anymore.
  | {product} keeps asking me to set up {mfa} every time I log in.
  | I lost my phone on {date}, how do I log in without the {mfa}?
  | The {code} arrives after it has already expired.
  | I'm abroad and the {code} by SMS never comes, I can't get into {product}.
Q: mfa broken | no {code} | new phone, need mfa reset | 2fa not working | {mfa} reset
@mfa: authenticator | MFA | 2FA | authenticator app | two-factor setup
  | Microsoft Authenticator | Okta Verify | Duo | security key | YubiKey | second factor
@code: push notification | verification code | 6-digit code | one-time code | SMS code
  | push prompt | number match | OTP | token

vpn_access 94
N: wifi_connectivity shared_drive_access email_delivery
T: the VPN | VPN | remote access | the tunnel
S: VPN not connecting | VPN access request | {vpn} error {error} | Can't reach internal sites
  | VPN drops every few minutes | Need remote access | Remote connection issue
  | {vpn} keeps disconnecting | Working from home problem
B: {vpn} fails with {error} when I connect from home.
  | I need {remote} to work from {office}, my manager {person} approved it.
  | {vpn} connects but internal pages like {product} time out.
  | Since {date} {vpn} disconnects every ten minutes on my {device}.
  | {vpn} says my certificate is not valid, error {error}.
  | Can you give me {remote}? I'm travelling next week and need {product}.
  | At home my internet is fine, but as soon as I start {vpn} nothing loads.
  | The connection comes up, then drops whenever I join a call in {product} from home.
  | I can't reach the intranet from the hotel, {vpn} just spins.
Q: vpn again | vpn down | {vpn} not connecting | vpn keeps dropping | need vpn access
  | no vpn from home
@vpn: the VPN | the VPN client | GlobalProtect | AnyConnect | FortiClient
  | the remote access client | Zscaler | the tunnel | WireGuard | Pulse Secure
@remote: VPN access | remote access | a VPN account | access from home | a remote connection
  | the remote-work profile

wifi_connectivity 25
N: vpn_access laptop_hardware email_delivery
T: the wifi | the wireless | the network | the internet
S: Wifi not working | No internet in {office} | Wireless keeps dropping | Guest wifi password
  | Slow network | Can't connect to corporate wifi | Network down on 2nd floor
B: The {wifi} on the 2nd floor in {office} keeps dropping since {date}.
  | My {device} can't connect to the {wifi}, it says {error}.
  | Internet is extremely slow in the meeting rooms today.
  | What's the password of the guest {wifi} for visitors coming on {date}?
  | The cable works but the {wifi} fails with {error}.
  | Nobody in {office} has internet right now.
  | The {wifi} signal is gone near the kitchen, calls in {product} cut out.
  | My {device} sees the {wifi} but never gets an address.
Q: no wifi | wifi down {office} | internet slow | guest wifi? | wireless dropping again
@wifi: wifi | wireless | Wi-Fi | corporate wifi | wireless network | WLAN | Acme-Corp network
  | guest network | access point | hotspot

shared_drive_access 28
N: vpn_access software_license new_employee_onboarding
T: the shared drive | folder permissions | the team folder
S: Access to shared drive | Permission denied on folder | Need access to {product} folder
  | Shared drive missing | Request folder access | Can't open team files | Folder permissions
B: I need access to the {folder}, my manager {person} approved.
  | I get "access denied" when opening the {folder} in {product}.
  | The {folder} disappeared from my {device} after the update.
  | Please give {person} read access to our {folder}.
  | I can see the {folder} but can't edit files, error {error}.
  | Since {date} the S: drive mapping is gone.
  | Files in the {folder} open read-only for me but not for my team.
  | {person} left and owned the {folder}, now nobody can add files.
Q: need folder access | access denied {folder} | S: drive gone | permission pls
  | cant open team files
@folder: shared drive | team folder | Finance share | project folder | S: drive | SharePoint site
  | network share | department share | HR folder | Teams channel files

badge_access 11
N: new_employee_onboarding office_relocation
T: my badge | the door access | the badge reader
S: Badge not working | Door access | Lost my badge | Access card for {office}
  | Need building access | Badge deactivated
B: My {badge} stopped opening the doors in {office} since {date}.
  | I lost my {badge}, please deactivate it and issue a new one.
  | I need {badge} access to the server room for a project with {person}.
  | The {badge} reader at the garage entrance says {error}.
  | My new {badge} works for the main door but not for our floor in {office}.
  | Guests are visiting on {date}, can you arrange a {badge} for each of them?
  | The turnstile in {office} rejects my {badge} every morning.
Q: badge not working | lost badge | door won't open with badge | need badge {office}
@badge: badge | access badge | access card | key card | ID badge | door fob | building pass

security_incident 9
N: email_delivery account_lockout
T: that phishing mail | the security warning | the virus alert
S: Suspicious email | Phishing? | Possible security incident | I clicked a link
  | Malware warning | Account compromised
B: I got an email asking for my {product} password, it looks like {phish}.
  | I clicked a link in a {phish} email on {date} and entered my credentials.
  | The antivirus popped up {error} and quarantined a file.
  | Someone logged into my account from another country.
  | A vendor invoice {invoice} came from a look-alike domain, please check.
  | My {device} shows a ransom message, I unplugged it.
  | I think my account is {hacked}, it sent emails I never wrote.
Q: phishing? | clicked a bad link | account {hacked}? | virus warning
@phish: phishing | suspicious | fake | a scam | spoofed | dodgy
@hacked: compromised | hacked | taken over | breached
"""
