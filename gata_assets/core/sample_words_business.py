"""What the busy business queues' tickets are about, for the phrasings every queue shares.

The money queues are the hardest pair on a real desk: a refund, an invoice, an expense claim
and a payslip all come with amounts and documents, and only whether money should come back,
a paper is missing, a claim is stuck or a salary is wrong tells them apart. As in
`sample_words_it`: `@it` the affected thing, `@fault` what is wrong, `@want` the request,
most common first; `@trouble` replaces the shared faults ("stopped working"), which money and
paperwork do not have. Format: see `sample_templates`.
"""

SPEC = """
billing_refund
@it: the charge | the card payment | the payment | the subscription fee | the last bill
  | the renewal charge | the direct debit | the transaction | the fee
  | the annual renewal | the card statement | the auto-renewal | the setup fee | the SEPA debit
  | the PayPal payment | the wire transfer | the late fee
@fault: was taken twice | was charged after we cancelled | is higher than agreed
  | went through twice | was never refunded | is for a plan we never ordered | was overcharged
  | was debited twice
@trouble: is wrong | doesn't add up | looks off | has a mistake | is not right | is incorrect
  | makes no sense to me | is confusing
@want: a refund | my money back | a credit note | the duplicate refunded | a chargeback
  | the difference back | a reimbursement of the charge | a partial refund | a goodwill credit

invoice_copy
@it: the invoice | our invoice | the invoice PDF | last month's invoice | the VAT invoice
  | the invoice copy | the billing statement | the receipt | the pro forma | the credit note
  | the PO number on the invoice | the tax invoice | the quarterly statement | the remittance
  | the e-invoice | the order confirmation | the delivery note | the Q3 invoice
@fault: is missing | never arrived | has the wrong address | isn't in the portal
  | has the wrong PO number | lacks our VAT number | went to the wrong person | can't be downloaded
@trouble: is wrong | doesn't add up | looks off | has a mistake | is not right | is incorrect
  | makes no sense to me | is confusing
@want: a copy of the invoice | the invoice resent | a VAT-compliant invoice | a duplicate receipt
  | invoices since January | a corrected invoice | the invoice with our PO number
  | a statement of account | the invoice in PDF

new_employee_onboarding
@it: our new hire | the new starter | our new joiner | the intern | our new colleague
  | the contractor starting Monday | the trainee | the new developer | our new analyst
  | the new team member | the working student | our apprentice | the new sales rep
  | the graduate hire | the temp from the agency | the new designer | the consultant joining us
@fault: starts next week | has no laptop yet | has no login yet | joins on Monday
  | has no email account | is starting without accounts | arrives tomorrow
  | needs everything set up
@trouble: can't log in | is waiting for access | has nothing set up | can't start work
  | is stuck without a laptop | has no accounts
@want: accounts for a new hire | a laptop for our new starter | new-joiner access
  | onboarding for a new employee | email and badge for the intern | a starter kit
  | a setup for a new team member | a welcome pack and a laptop

expense_report
@it: my expense claim | the expense report | my reimbursement | the travel claim | my receipt
  | the hotel expense | the mileage claim | my per diem | the taxi receipt | the conference fee
  | the Uber receipt | the train ticket | my client dinner | the flight refund claim
  | the parking receipt | my home office allowance | the visa fee
@fault: was rejected | is still pending | was paid short | won't upload | is missing
  | was returned without a reason | is stuck in approval
@trouble: is wrong | doesn't add up | looks off | has a mistake | is not right | is incorrect
  | makes no sense to me | is confusing
@want: my expenses reimbursed | the claim approved | help with the expense tool
  | my travel costs back | the receipts accepted | an advance for my trip

payroll_question
@it: my salary | my payslip | my pay | the overtime | my net pay | the bonus | my paycheck
  | the deduction | my pay stub | my holiday pay | the pension contribution | the shift allowance
  | my commission | the sick pay | the salary increase | my 401(k) contribution | the night bonus
@fault: hasn't arrived | is lower than expected | wasn't paid | shows a strange deduction
  | went to my old bank account | is wrong | is missing
@trouble: is wrong | doesn't add up | looks off | has a mistake | is not right | is incorrect
  | makes no sense to me | is confusing
@want: my payslip | a salary correction | my bank details changed | the overtime paid
  | an explanation of my payslip | my missing pay | a pay advance
"""
