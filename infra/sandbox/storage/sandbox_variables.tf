# Variables the real stack does not have; all start with sandbox_.

variable "sandbox_delay_seconds" {
  type        = number
  description = "Sandbox only: seconds the apply of this stand-in takes, to imitate the real stack in benchmarks. 0 adds no delay."
  default     = 0

  validation {
    condition     = var.sandbox_delay_seconds >= 0 && var.sandbox_delay_seconds <= 3600
    error_message = "sandbox_delay_seconds must be from 0 to 3600."
  }
}

variable "sandbox_state_dir" {
  type        = string
  description = "Sandbox only: absolute path of the directory that holds the state of every sandbox stack as <environment>/<stack>.tfstate; the same directory the backend path was derived from at init."

  validation {
    condition     = can(regex("^(/|[A-Za-z]:[\\\\/])", var.sandbox_state_dir))
    error_message = "sandbox_state_dir must be an absolute path."
  }
}
