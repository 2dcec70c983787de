"""Sample wording of the business queues: money, people, tax, privacy and legal.

Refunds, invoices, expenses and payroll all talk about amounts, invoices and payments; the
queue is whether money should come back, a document is missing, a claim is stuck or a salary
is wrong. The privacy and legal tail is rare but worded precisely, as such requests are.
Format: see `sample_templates`.
"""

SPEC = """
billing_refund 48
N: invoice_copy expense_report software_license
T: the refund | the double charge | the billing
S: Refund request | Charged twice | Please refund {amount} | Wrong amount billed
  | Cancel and refund | Refund not received | Billing error
B: I was {charged} {amount} twice on {date}, please {refund} the duplicate.
  | We cancelled our {product} subscription but were still {charged} {amount}.
  | The {money} of {amount} you promised on {date} has not arrived yet.
  | Invoice {invoice} {charged} {amount} instead of the agreed price, please {refund} the rest.
  | Please {refund} {amount} for the unused seats, reference {ref}.
  | My card was {charged} {amount} for a plan we never ordered.
  | The invoice itself is fine, but the payment of {amount} was taken twice.
  | We were {charged} for 20 licenses but only use 12, can we get a {money}?
Q: refund? | charged twice | refund {amount} pls | double charge {ref}
@charged: charged | billed | debited | invoiced | overcharged
@refund: refund | credit back | reverse | pay back | return
@money: refund | credit note | reimbursement | chargeback | money back

invoice_copy 43
N: billing_refund expense_report payroll_question
T: the invoice | a copy of the invoice | the invoice PDF
S: Invoice copy | Need a copy of invoice {invoice} | Missing invoice | Invoice for {date}
  | Please resend invoice | VAT invoice request
B: Could you send me a {copy} of invoice {invoice}? Our accounting needs it.
  | I can't find the invoice for {date} in the portal.
  | Please resend the invoice for {amount} to our accounts payable address.
  | We need a VAT-compliant invoice with our company address for order {ref}.
  | Can you reissue invoice {invoice} with the correct PO number {ref}?
  | Where can I download past invoices? I need the ones since {date}.
  | The amount is correct, we just never received the invoice {copy} for {ref}.
  | Our auditors need a {copy} of every invoice since {date}.
Q: invoice copy pls | need invoice {invoice} | resend invoice | missing invoice {ref}
@copy: copy | PDF | duplicate | scan | reprint | version

new_employee_onboarding 38
N: shared_drive_access laptop_hardware software_license
T: the new starter | onboarding | our new hire
S: New starter on {date} | Onboarding for {person} | New hire setup | Accounts for new employee
  | Laptop and access for new joiner | Starting Monday: {person}
B: {person} {starts} on {date} in {office}, please set up a laptop and accounts.
  | We have a {newhire} joining on {date}, she needs email, {product} and a {device}.
  | Please create accounts for our {newhire} {person}, start date {date}.
  | Our {newhire} arrives next week, can you prepare a {device} and a badge?
  | Onboarding request for {person}: access to {product} and the shared drive.
  | {person} joined today but has no login yet, can you help urgently?
  | Our {newhire} {starts} on {date}; the password and laptop should be ready on day one.
Q: new starter {date} | onboarding {person} | new hire needs laptop | accounts for new joiner
@newhire: new hire | new starter | new employee | new joiner | intern | new colleague
  | contractor | trainee
@starts: starts | joins | begins | is starting

expense_report 21
N: billing_refund payroll_question invoice_copy
T: my expense claim | the reimbursement | my expenses
S: Expense report | Expense claim rejected | Reimbursement for travel | {product} expense question
  | Receipts upload | Missing reimbursement
B: My {claim} for {amount} was rejected without a reason.
  | How do I submit travel expenses from {date} in {product}?
  | I was reimbursed {amount} but the {claim} was higher.
  | The receipt upload in {product} fails with {error}.
  | My manager {person} approved the {claim} but it's still pending.
  | Can I expense a home office chair for {amount}?
  | I paid the hotel invoice of {amount} myself, how do I get it back?
Q: expense claim stuck | reimbursement? | receipt upload fails | expenses {date}
@claim: expense report | expense claim | claim | reimbursement request | travel claim

payroll_question 19
N: expense_report invoice_copy billing_refund
T: my salary | the payslip | payroll
S: Payroll question | Salary not received | Wrong amount on payslip | Payslip for {date}
  | Overtime not paid | Bank details change
B: My {salary} for {date} has not arrived on my account.
  | The {payslip} shows {amount} less than expected.
  | Overtime from last month was not paid, reference {ref}.
  | I need to change the bank account my {salary} goes to.
  | Where do I find my {payslip}s in {product}?
  | There's a deduction of {amount} on my {payslip} that I don't understand.
Q: salary missing | payslip wrong | overtime not paid | new bank account for salary
@salary: salary | pay | wages | paycheck | net pay
@payslip: payslip | pay slip | pay stub | salary statement | earnings statement

tax_form 7
N: payroll_question invoice_copy
T: the tax form | my W-2
S: Tax form request | W-2 copy | Need my tax certificate | 1099 form | Tax document for {date}
  | Wrong tax ID on form
B: I need a copy of my W-2 for last year.
  | Could you send the 1099 for our contract, reference {ref}?
  | My annual tax certificate shows the wrong address.
  | Where can I download tax documents in {product}?
  | The tax form lists income of {amount}, which is wrong.
  | Our vendor needs a W-9 from us by {date}.
Q: need W-2 | 1099 pls | tax form wrong | tax certificate?

gdpr_data_request 6
N: legal_hold security_incident
T: my data request | the GDPR request
S: GDPR request | Data deletion request | Subject access request | Personal data export
  | Right to be forgotten | Privacy request
B: Under GDPR I request a copy of all personal data you hold about me.
  | Please delete my personal data, reference {ref}.
  | A customer, {person}, asked for all data we store about them by {date}.
  | I want to exercise my right to be forgotten.
  | Please confirm which systems like {product} store my data.
  | We received a data subject access request from a former employee.
Q: GDPR request | delete my data | data export request {ref}

legal_hold 5
N: gdpr_data_request security_incident
T: the legal hold | the litigation hold
S: Legal hold | Preserve mailbox | Litigation hold request | Do not delete data for {person}
  | Hold on email records | Legal asked to preserve files
B: Legal asked us to place a hold on the mailbox of {person}.
  | Please preserve all emails and files of the sales team from {date}.
  | Litigation hold request, matter {ref}: do not delete any records.
  | Don't wipe the laptop of {person}, legal needs it preserved.
  | Please suspend retention deletion in {product} for the audit.
  | Our counsel requires all chat messages since {date} to be preserved.
Q: legal hold {person} | preserve mailbox pls | litigation hold {ref}
"""
