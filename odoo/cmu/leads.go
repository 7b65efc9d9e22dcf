package cmu

import (
	"context"
	"fmt"

	"github.com/cmu-mx/cmu/odoo"
)

// OpportunityFields maps the field names the PWA sends in the
// opportunity-process update (PUT /opportunity/update-opportunity-procces/:id)
// to the crm.lead fields Ensure provisions. It returns a fresh map.
func OpportunityFields() map[string]string {
	return map[string]string{
		"cLastNameFather":           "x_cmu_last_name_father",
		"cLastNameMother":           "x_cmu_last_name_mother",
		"cCustomerDocumentType":     "x_cmu_customer_document_type",
		"cCustomerDocument":         "x_cmu_customer_document",
		"cPatientsname":             "x_cmu_patient_name",
		"cPatientsPaternalLastName": "x_cmu_patient_paternal_last_name",
		"cPatientsMaternalLastName": "x_cmu_patient_maternal_last_name",
		"cPatientDocument":          "x_cmu_patient_document",
		"cPatientDocumentType":      "x_cmu_patient_document_type",
		"cClinicHistory":            "x_cmu_clinic_history",
		"cAppointment":              "x_cmu_appointment",
		"cDateReservation":          "x_cmu_date_reservation",
		"cDoctor":                   "x_cmu_doctor",
		"cEnvironment":              "x_cmu_environment",
		"cSpecialty":                "x_cmu_specialty",
		"cTariff":                   "x_cmu_tariff",
		"reservationId":             "x_cmu_reservation_id",
		"cFacturacionSubEstado":     "x_cmu_facturacion_sub_estado",
		"isPresaved":                "x_cmu_is_presaved",
	}
}

// SetLeadStage moves a lead to one of the stages Ensure provisions
// (StagePromesaFirmada when the contract is signed, StageAprobado,
// StageRechazado, StageCierreGanado). Moving a lead to the stage it is in
// writes nothing.
func (s *Service) SetLeadStage(ctx context.Context, leadID int64, stage string) error {
	id, err := s.Stage(ctx, stage)
	if err != nil {
		return err
	}
	l, err := s.lead(ctx, leadID)
	if err != nil {
		return err
	}
	if l.StageID.ID == id {
		return nil
	}
	if err := s.c.Write(ctx, odoo.ModelLead, []int64{leadID}, map[string]any{"stage_id": id}, nil); err != nil {
		return fmt.Errorf("cmu: move lead %d to stage %q: %w", leadID, stage, err)
	}
	return nil
}
